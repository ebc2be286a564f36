using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace Autosnap.Cloud
{
    /// <summary>
    /// Nova and Cinder page their lists the same way: each page has the "<c>collection</c>" array and a
    /// "<c>collection_links</c>" entry with rel "next". Both clients read every page through this one loop.
    /// </summary>
    internal static class LinkedPages
    {
        /// <summary>
        /// Every item, all pages. The next link's host and prefix need not be the catalog's (a proxy, a version
        /// segment), so the endpoint stays ours and the path is taken from the last "/collection" on. Throws
        /// InvalidResponse when a link loops back, cannot be followed, or a page repeats an item: a partial or endless
        /// list proves nothing.
        /// </summary>
        public static async Task<IReadOnlyList<T>> ReadAllAsync<T>(
            CloudSession session, ICloudLog log, string service, string region, string endpointBase, string firstPathAndQuery,
            string collection, string operation, Func<JObject, T> read, Func<T, string> idOf, CancellationToken cancellationToken)
        {
            string what = $"{service}: {operation} in {region}";
            var items = new List<T>();
            var seenPages = new HashSet<string>(StringComparer.Ordinal);
            var seenIds = new HashSet<string>(StringComparer.Ordinal);
            Uri? next = new Uri(endpointBase + firstPathAndQuery);
            while (next != null)
            {
                if (!seenPages.Add(next.AbsoluteUri))
                {
                    throw new CloudException(CloudErrorKind.InvalidResponse,
                        $"{what}: the 'next' link points back to a page already read ({next.PathAndQuery}); stopped.");
                }
                var request = new CloudRequest(HttpMethod.Get, next, service, $"{operation} in {region}") { Region = region };
                var page = await session.SendAsync(request, response =>
                {
                    JObject body = JsonFields.Parse(response.Body);
                    var list = JsonFields.Array(body, collection)
                        .Select(item => read(item as JObject ?? throw new FormatException($"an entry of '{collection}' is not an object")))
                        .ToList();
                    string? nextHref = (body[collection + "_links"] as JArray)?.OfType<JObject>()
                        .FirstOrDefault(link => (string?)link["rel"] == "next")?["href"]?.ToString();
                    return (list, nextHref);
                }, log, cancellationToken).ConfigureAwait(false);
                if (page.list.Any(item => !seenIds.Add(idOf(item))))
                {
                    throw new CloudException(CloudErrorKind.InvalidResponse, $"{what}: a page repeats items of an earlier page; stopped.");
                }
                items.AddRange(page.list);
                next = page.list.Count > 0 && page.nextHref != null ? NextPage(endpointBase, collection, page.nextHref, what) : null;
            }
            return items;
        }

        private static Uri NextPage(string endpointBase, string collection, string href, string what)
        {
            var link = new Uri(new Uri(endpointBase + "/"), href);
            int index = link.AbsolutePath.LastIndexOf("/" + collection, StringComparison.Ordinal);
            return index >= 0
                ? new Uri(endpointBase + link.AbsolutePath.Substring(index) + link.Query)
                : throw new CloudException(CloudErrorKind.InvalidResponse, $"{what}: a 'next' link that cannot be followed: {CloudHttp.Shorten(href)}");
        }
    }
}
