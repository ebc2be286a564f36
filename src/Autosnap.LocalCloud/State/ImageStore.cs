using System;
using System.Collections.Generic;
using System.Linq;

namespace Autosnap.LocalCloud.State;

/// <summary>How a list is ordered: keys with directions; the image id always breaks ties.</summary>
public sealed record ImageSort(IReadOnlyList<(string Key, bool Descending)> Keys)
{
    public static readonly ImageSort Default = new([("created_at", true), ("id", true)]);

    public static readonly IReadOnlySet<string> SortableKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at",
        "visibility", "min_disk", "min_ram", "owner",
    };

    public string CacheKey => string.Join(",", Keys.Select(k => k.Key + (k.Descending ? ":desc" : ":asc")));

    public IComparer<Image> Comparer => Comparer<Image>.Create(Compare);

    public int Compare(Image a, Image b)
    {
        foreach (var (key, descending) in Keys)
        {
            var c = CompareKey(key, a, b);
            if (c != 0) return descending ? -c : c;
        }
        return 0;
    }

    private static int CompareKey(string key, Image a, Image b) => key switch
    {
        "name" => string.CompareOrdinal(a.Name, b.Name),
        "status" => string.CompareOrdinal(a.Status, b.Status),
        "container_format" => string.CompareOrdinal(a.ContainerFormat, b.ContainerFormat),
        "disk_format" => string.CompareOrdinal(a.DiskFormat, b.DiskFormat),
        "size" => Nullable.Compare(a.Size, b.Size),
        "created_at" => a.CreatedAt.CompareTo(b.CreatedAt),
        "updated_at" => a.UpdatedAt.CompareTo(b.UpdatedAt),
        "visibility" => string.CompareOrdinal(a.Visibility, b.Visibility),
        "min_disk" => a.MinDisk.CompareTo(b.MinDisk),
        "min_ram" => a.MinRam.CompareTo(b.MinRam),
        "owner" => string.CompareOrdinal(a.Owner, b.Owner),
        _ => string.CompareOrdinal(a.Id, b.Id),
    };

    /// <summary>Glance appends created_at and id (in the last direction given) so the order is total.</summary>
    public static ImageSort Complete(List<(string Key, bool Descending)> keys)
    {
        var lastDirection = keys.Count > 0 ? keys[^1].Descending : true;
        if (!keys.Any(k => k.Key == "created_at")) keys.Add(("created_at", lastDirection));
        if (!keys.Any(k => k.Key == "id")) keys.Add(("id", lastDirection));
        return new ImageSort(keys);
    }
}

/// <summary>A list request, already validated by the API layer.</summary>
public sealed class ImageQuery
{
    /// <summary>Exact property matches (custom properties such as instance_uuid); served from the index.</summary>
    public Dictionary<string, string> PropertyEquals { get; } = new(StringComparer.Ordinal);
    public string? Owner { get; set; }
    /// <summary>Everything else the image must satisfy (visibility, status, name, dates ...).</summary>
    public List<Func<Image, bool>> Predicates { get; } = [];
    public ImageSort Sort { get; set; } = ImageSort.Default;
    public Image? Marker { get; set; }
    public int Limit { get; set; } = 25;
}

/// <summary>
/// The images of one region (all accounts), with the indexes that keep big accounts fast: by id, by owner,
/// by (property, value), and a cached sorted array per sort order, rebuilt only after a change.
/// Not thread-safe: callers hold the region's lock.
/// </summary>
public sealed class ImageStore
{
    private readonly Dictionary<string, Image> _byId = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, HashSet<Image>> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<Image>>> _byProperty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Image[]> _sorted = new(StringComparer.Ordinal);
    /// <summary>Deleted images, kept for Nova's changes-since (Rackspace shows DELETED images there).</summary>
    private readonly List<Image> _deleted = [];

    public int Count => _byId.Count;

    public IEnumerable<Image> All => _byId.Values;

    public IReadOnlyList<Image> Deleted => _deleted;

    public Image? Find(string id) => _byId.TryGetValue(id, out var image) ? image : null;

    public void Add(Image image)
    {
        _byId.Add(image.Id, image);
        Bucket(_byOwner, image.Owner).Add(image);
        foreach (var (key, value) in image.Properties) Index(key, value).Add(image);
        Changed();
    }

    /// <summary>Deletes an image; it stays visible as DELETED to Nova's changes-since unless <paramref name="tombstone"/> is false.</summary>
    public Image? Remove(string id, DateTimeOffset now, bool tombstone = true)
    {
        if (!_byId.Remove(id, out var image)) return null;
        _byOwner[image.Owner].Remove(image);
        foreach (var (key, value) in image.Properties) Index(key, value).Remove(image);
        image.Status = "deleted";
        image.UpdatedAt = now;
        image.Job = null;
        if (tombstone) _deleted.Add(image);
        Changed();
        return image;
    }

    public void SetProperty(Image image, string key, string value)
    {
        if (image.Properties.TryGetValue(key, out var old))
        {
            if (old == value) return;
            Index(key, old).Remove(image);
        }
        image.Properties[key] = value;
        Index(key, value).Add(image);
    }

    public bool RemoveProperty(Image image, string key)
    {
        if (!image.Properties.Remove(key, out var old)) return false;
        Index(key, old).Remove(image);
        return true;
    }

    /// <summary>Call after changing anything a list can sort on (name, status, dates, size ...).</summary>
    public void Changed() => _sorted.Clear();

    public List<Image> WithProperty(string key, string value) =>
        _byProperty.TryGetValue(key, out var values) && values.TryGetValue(value, out var set) ? [.. set] : [];

    /// <summary>One page of a list. Uses the smallest index that applies, else scans the cached sorted order.</summary>
    public List<Image> Query(ImageQuery query)
    {
        bool Matches(Image image)
        {
            if (query.Owner is not null && image.Owner != query.Owner) return false;
            foreach (var (key, value) in query.PropertyEquals)
                if (!image.Properties.TryGetValue(key, out var v) || v != value) return false;
            foreach (var predicate in query.Predicates)
                if (!predicate(image)) return false;
            return true;
        }

        var comparer = query.Sort.Comparer;
        HashSet<Image>? smallest = null;
        foreach (var (key, value) in query.PropertyEquals)
        {
            var set = _byProperty.TryGetValue(key, out var values) && values.TryGetValue(value, out var s) ? s : null;
            if (set is null) return [];
            if (smallest is null || set.Count < smallest.Count) smallest = set;
        }
        if (query.Owner is not null)
        {
            if (!_byOwner.TryGetValue(query.Owner, out var ownerSet)) return [];
            if (smallest is null || ownerSet.Count < smallest.Count) smallest = ownerSet;
        }

        Image[] ordered;
        if (smallest is not null && smallest.Count * 8 < _byId.Count)
        {
            ordered = smallest.Where(Matches).ToArray();
            Array.Sort(ordered, comparer);
        }
        else
        {
            ordered = SortedAll(query.Sort);
        }

        var start = 0;
        if (query.Marker is not null)
        {
            // first position strictly after the marker in this order (the marker need not match the filters)
            int lo = 0, hi = ordered.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (query.Sort.Compare(ordered[mid], query.Marker) <= 0) lo = mid + 1; else hi = mid;
            }
            start = lo;
        }

        var page = new List<Image>(Math.Min(query.Limit, 1000));
        for (var i = start; i < ordered.Length && page.Count < query.Limit; i++)
        {
            if (Matches(ordered[i])) page.Add(ordered[i]);
        }
        return page;
    }

    private Image[] SortedAll(ImageSort sort)
    {
        var key = sort.CacheKey;
        if (!_sorted.TryGetValue(key, out var array))
        {
            array = _byId.Values.ToArray();
            Array.Sort(array, sort.Comparer);
            _sorted[key] = array;
        }
        return array;
    }

    private HashSet<Image> Index(string key, string value)
    {
        if (!_byProperty.TryGetValue(key, out var values))
        {
            values = new Dictionary<string, HashSet<Image>>(StringComparer.Ordinal);
            _byProperty[key] = values;
        }
        return Bucket(values, value);
    }

    private static HashSet<Image> Bucket(Dictionary<string, HashSet<Image>> map, string key)
    {
        if (!map.TryGetValue(key, out var set))
        {
            set = [];
            map[key] = set;
        }
        return set;
    }
}
