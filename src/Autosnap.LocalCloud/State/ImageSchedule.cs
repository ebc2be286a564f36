using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// A server's Rackspace Scheduled Images setting (the rax-si-image-schedule resource): a retention, and a UTC day
/// for a weekly schedule (none: daily). The time of day is the service's choice, made once when the schedule is
/// first enabled. Mutated only under the region's lock.
/// </summary>
public sealed class ImageSchedule
{
    /// <summary>The days the API accepts, as it spells them.</summary>
    public static readonly IReadOnlyList<string> Days = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];

    /// <summary>The API's "system limit" for retention.</summary>
    public const int MaxRetention = 65535;

    /// <summary>How many of the service's images of the server it keeps (the newest).</summary>
    public int Retention { get; set; }

    /// <summary>SUNDAY..SATURDAY for a weekly schedule; null for daily.</summary>
    public string? DayOfWeek { get; set; }

    /// <summary>UTC hour and minute at which the service snapshots the server.</summary>
    public int Hour { get; init; }
    public int Minute { get; init; }

    /// <summary>Every run due up to this time has been made (or skipped); the next is the first due after it.</summary>
    public DateTimeOffset CheckedThrough { get; set; }

    /// <summary>The service's image being made now, and when (virtual time) it is done.</summary>
    public string? PendingImageId { get; set; }
    public DateTimeOffset PendingDoneAt { get; set; }

    public bool Weekly => DayOfWeek is not null;

    /// <summary>The first run strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset NextDue(DateTimeOffset after)
    {
        var utc = after.ToUniversalTime();
        var due = new DateTimeOffset(utc.Year, utc.Month, utc.Day, Hour, Minute, 0, TimeSpan.Zero);
        if (due <= utc) due = due.AddDays(1);
        if (DayOfWeek is { } day)
        {
            var wanted = (System.DayOfWeek)Days.ToList().IndexOf(day);
            while (due.DayOfWeek != wanted) due = due.AddDays(1);
        }
        return due;
    }
}

/// <summary>
/// The Scheduled Images service of one region, on the virtual clock: whenever the region settles, each scheduled
/// server gets the images that fell due since it last looked (a day or a week apart, at the schedule's time), each
/// done <see cref="ImageMinutes"/> after it started; after each success the service deletes its own images of that
/// server beyond the retention, newest kept. Only images carrying its metadata count or go, as on Rackspace: a
/// manual image, an Autosnap image, or one whose created-by key a user removed, is never touched.
/// </summary>
public sealed class ScheduledImageService
{
    /// <summary>The metadata the service puts on its images (the key and value of a real capture).</summary>
    public const string CreatedByKey = "org.openstack__1__created_by";
    public const string CreatedByValue = "scheduled_images_service";

    /// <summary>How long (virtual time) one of the service's snapshots takes.</summary>
    public static readonly TimeSpan ImageMinutes = TimeSpan.FromMinutes(10);

    // A server asleep longer than this is not caught up image by image: the service would have culled all but the
    // newest anyway, so only the last runs within the retention are made (keeps a clock set years ahead cheap).
    private const int MaxRunsPerSettle = 400;

    private static readonly HashSet<string> SnapshotableStatuses =
        new(StringComparer.OrdinalIgnoreCase) { "ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED" };

    private readonly RegionState _region;
    private readonly CloudState _state;
    private readonly List<Server> _scheduled = [];

    public ScheduledImageService(RegionState region, CloudState state)
    {
        _region = region;
        _state = state;
    }

    public int Count => _scheduled.Count;

    /// <summary>Enables or replaces the server's schedule; a new schedule gets its time of day from the seeded chance.</summary>
    public ImageSchedule Enable(Server server, int retention, string? dayOfWeek, DateTimeOffset now, int? hour = null, int? minute = null)
    {
        if (server.ImageSchedule is { } existing)
        {
            existing.Retention = retention;
            existing.DayOfWeek = dayOfWeek;
            return existing;
        }
        var schedule = new ImageSchedule
        {
            Retention = retention,
            DayOfWeek = dayOfWeek,
            Hour = hour ?? _state.Random.Next(24),
            Minute = minute ?? _state.Random.Next(60),
            CheckedThrough = now,
        };
        server.ImageSchedule = schedule;
        _scheduled.Add(server);
        return schedule;
    }

    /// <summary>Disables the schedule; false when the server had none. Its images stay.</summary>
    public bool Disable(Server server)
    {
        if (server.ImageSchedule is null) return false;
        server.ImageSchedule = null;
        _scheduled.Remove(server);
        return true;
    }

    /// <summary>Makes, finishes and culls every scheduled image due by <paramref name="now"/>. Caller holds the region lock.</summary>
    public void Run(DateTimeOffset now)
    {
        for (var i = _scheduled.Count - 1; i >= 0; i--)
        {
            var server = _scheduled[i];
            if (server.ImageSchedule is not { } schedule || !_region.Servers.ContainsKey(server.Id))
            {
                // deleted with its server, as Nova's extension deletes the schedule of a deleted server
                _scheduled.RemoveAt(i);
                continue;
            }
            RunServer(server, schedule, now);
        }
    }

    private void RunServer(Server server, ImageSchedule schedule, DateTimeOffset now)
    {
        var runs = 0;
        while (true)
        {
            if (schedule.PendingImageId is { } pending && schedule.PendingDoneAt <= now)
            {
                Finish(server, schedule, pending, schedule.PendingDoneAt);
                schedule.PendingImageId = null;
            }
            var due = schedule.NextDue(schedule.CheckedThrough);
            if (due > now) return;
            if (++runs > MaxRunsPerSettle)
            {
                // far behind: jump to the runs whose images the retention would keep
                var step = schedule.Weekly ? TimeSpan.FromDays(7) : TimeSpan.FromDays(1);
                var keepFrom = now - step * Math.Min(schedule.Retention + 1, MaxRunsPerSettle / 2);
                if (keepFrom > schedule.CheckedThrough) schedule.CheckedThrough = keepFrom;
                runs = 0;
                continue;
            }
            schedule.CheckedThrough = due;
            // a snapshot still uploading blocks the next one; so does a server that cannot be snapshotted
            if (schedule.PendingImageId is not null || !SnapshotableStatuses.Contains(server.Status)) continue;
            Start(server, schedule, due);
        }
    }

    private void Start(Server server, ImageSchedule schedule, DateTimeOffset due)
    {
        var account = _state.AccountByTenant(server.TenantId);
        if (account is null) return;
        var prefix = schedule.Weekly ? "Weekly-" : "Daily-";
        var suffix = "-" + due.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var name = server.Name.Length + prefix.Length + suffix.Length > 255
            ? server.Name.Substring(0, 255 - prefix.Length - suffix.Length)
            : server.Name;
        var image = Compute.ServerActions.NewSnapshotImage(_state, _region, account, server, prefix + name + suffix,
            new Dictionary<string, string> { [CreatedByKey] = CreatedByValue }, null, due,
            StableIds.Uuid($"scheduled-image:{server.Id}:{due.ToUnixTimeSeconds()}"));
        image.Status = "saving";
        schedule.PendingImageId = image.Id;
        schedule.PendingDoneAt = due + ImageMinutes;
    }

    private void Finish(Server server, ImageSchedule schedule, string imageId, DateTimeOffset at)
    {
        var image = _region.Images.Find(imageId);
        if (image is null) return;   // deleted while it was being made
        image.Status = "active";
        image.UpdatedAt = at;
        image.Size = 400_000_000 + Convert.ToInt64(StableIds.Hex32("size:" + image.Id).Substring(0, 8), 16) % 3_600_000_000;
        image.DiskFormat ??= "vhd";
        image.ContainerFormat ??= "ovf";
        image.Checksum = StableIds.Hex32("checksum:" + image.Id);
        _region.Images.Changed();
        // excess removal only after a success, and only of the service's own images of this server
        var own = _region.Images.WithProperty("instance_uuid", server.Id)
            .Where(i => i.Property(CreatedByKey) == CreatedByValue && i.Status is not ("deleted" or "pending_delete"))
            .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id, StringComparer.Ordinal)
            .ToList();
        foreach (var old in own.Skip(schedule.Retention)) _region.Images.Remove(old.Id, at);
    }
}
