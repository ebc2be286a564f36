using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>A cloud (region) whose compute endpoint does not list the Rackspace Scheduled Images extension.</summary>
    public sealed class ScheduledImagesUnsupportedException : Exception
    {
        public ScheduledImagesUnsupportedException(string region)
            : base($"The compute service in {region} has no Rackspace Scheduled Images (its extension list has no '{ScheduledImagesExtension.Alias}'); " +
                   "only Rackspace's Cloud Servers offer it. Nothing was changed.")
        {
            Region = region;
        }

        public string Region { get; }
    }

    /// <summary>
    /// Rackspace Scheduled Images, the provider's own nightly or weekly snapshots: whether a region has them (its
    /// extension list, read once per session), a server's schedule, enabling and disabling it. Handing a server
    /// over to Autosnap is disabling it here; handing it back is enabling it.
    /// </summary>
    public sealed class ScheduledImagesService
    {
        private readonly RackspaceSession _session;
        private readonly IJobHost _host;

        public ScheduledImagesService(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
        }

        private ComputeClient Compute(string region) => new ComputeClient(_session.Cloud, region, _host);

        /// <summary>True when the region's compute endpoint lists rax-si-image-schedule.</summary>
        public async Task<bool> IsSupportedAsync(string region, CancellationToken cancellationToken) =>
            (await Compute(region).GetExtensionAliasesAsync(cancellationToken).ConfigureAwait(false)).Contains(ScheduledImagesExtension.Alias);

        /// <summary>The server's schedule (null: none); throws <see cref="ScheduledImagesUnsupportedException"/> where there are none.</summary>
        public async Task<ImageSchedule?> GetAsync(RackspaceServer server, CancellationToken cancellationToken)
        {
            await RequireAsync(server.Region, cancellationToken).ConfigureAwait(false);
            return await Compute(server.Region).GetImageScheduleAsync(server.Id, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Fills in <see cref="RackspaceServer.ScheduledImages"/> and its retention and day: one request per server,
        /// and none at all in a region without the extension (Unsupported).
        /// </summary>
        public async Task AttachAsync(RackspaceServer server, CancellationToken cancellationToken)
        {
            if (!await IsSupportedAsync(server.Region, cancellationToken).ConfigureAwait(false))
            {
                server.SetScheduledImages(ScheduledImagesState.Unsupported, null);
                return;
            }
            ImageSchedule? schedule = await Compute(server.Region).GetImageScheduleAsync(server.Id, cancellationToken).ConfigureAwait(false);
            server.SetScheduledImages(ScheduledImagesState.Off, schedule);
        }

        /// <summary>Enables (or changes) the server's schedule: daily, or weekly on <paramref name="dayOfWeek"/> (UTC).</summary>
        public async Task<ImageSchedule> EnableAsync(RackspaceServer server, int retention, DayOfWeek? dayOfWeek, CancellationToken cancellationToken)
        {
            if (retention < 1 || retention > ScheduledImagesExtension.MaxRetention)
            {
                throw new ArgumentOutOfRangeException(nameof(retention), retention, $"The retention must be 1 to {ScheduledImagesExtension.MaxRetention}.");
            }
            await RequireAsync(server.Region, cancellationToken).ConfigureAwait(false);
            ImageSchedule schedule = await Compute(server.Region).SetImageScheduleAsync(server.Id, retention, dayOfWeek, cancellationToken).ConfigureAwait(false);
            _host.Verbose($"Rackspace Scheduled Images on {server.Name} ({server.Id}): {schedule}.");
            return schedule;
        }

        /// <summary>Disables the server's schedule; false when it had none. The service's images stay (delete or keep them yourself).</summary>
        public async Task<bool> DisableAsync(RackspaceServer server, CancellationToken cancellationToken)
        {
            await RequireAsync(server.Region, cancellationToken).ConfigureAwait(false);
            bool had = await Compute(server.Region).DeleteImageScheduleAsync(server.Id, cancellationToken).ConfigureAwait(false);
            _host.Verbose(had
                ? $"Rackspace Scheduled Images disabled on {server.Name} ({server.Id})."
                : $"{server.Name} ({server.Id}) had no Rackspace Scheduled Images schedule.");
            return had;
        }

        private async Task RequireAsync(string region, CancellationToken cancellationToken)
        {
            if (!await IsSupportedAsync(region, cancellationToken).ConfigureAwait(false)) throw new ScheduledImagesUnsupportedException(region);
        }
    }

    /// <summary>
    /// A policy run's check that no server is snapshotted by two systems: the first job of each server asks for its
    /// Scheduled Images schedule (only where the region has the extension) and warns once when there is one. A
    /// failed look is verbose only: it must never fail or stop the night.
    /// </summary>
    public sealed class ScheduledImagesCheck
    {
        private readonly ScheduledImagesService _service;
        private readonly IJobHost _host;
        private readonly ConcurrentDictionary<string, bool> _checked = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        public ScheduledImagesCheck(RackspaceSession session, IJobHost host)
        {
            _service = new ScheduledImagesService(session, host);
            _host = host;
        }

        /// <summary>The warning for a server that both systems snapshot.</summary>
        public static string Warning(RackspaceServer server, ImageSchedule schedule) =>
            $"{server.Name} ({server.Id}) in {server.Region} is also snapshotted by Rackspace Scheduled Images ({schedule}): two systems " +
            "snapshot it, which doubles the images and can make either one's snapshot fail while the other runs. Hand it over to Autosnap " +
            $"with 'Disable-RackspaceScheduledImage -Server {server.Id} -Region {server.Region}', or take it out of the policy.";

        /// <summary>Checks the server unless this run already did; returns its schedule when it has one.</summary>
        public async Task<ImageSchedule?> CheckOnceAsync(RackspaceServer server, CancellationToken cancellationToken)
        {
            if (!_checked.TryAdd(server.Region + "/" + server.Id, true)) return null;
            try
            {
                if (!await _service.IsSupportedAsync(server.Region, cancellationToken).ConfigureAwait(false)) return null;
                ImageSchedule? schedule = await _service.GetAsync(server, cancellationToken).ConfigureAwait(false);
                if (schedule != null) _host.Warning(Warning(server, schedule));
                return schedule;
            }
            catch (CloudException e)
            {
                _host.Verbose($"Could not tell whether {server.Name} has Rackspace Scheduled Images: {e.Message}");
                return null;
            }
        }
    }
}
