using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Base of every Autosnap cmdlet: a cancellation source that Ctrl+C (StopProcessing) cancels, engine work run
    /// through a <see cref="PipelineHost"/>, the session every cmdlet works with, and errors turned into records.
    /// </summary>
    public abstract class AutosnapCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();

        protected CancellationToken CancellationToken => _cancellation.Token;

        protected override void StopProcessing() => _cancellation.Cancel();

        /// <summary>Runs engine work with a host that writes on this thread; rethrows what the work threw.</summary>
        internal T Run<T>(Func<PipelineHost, CancellationToken, Task<T>> work)
        {
            using var host = new PipelineHost(this, CancellationToken);
            try
            {
                return host.Run(token => work(host, token));
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        internal void Run(Func<PipelineHost, CancellationToken, Task> work) =>
            Run<bool>(async (host, token) =>
            {
                await work(host, token).ConfigureAwait(false);
                return true;
            });

        /// <summary>The session given, else the runspace's default; none is a terminating error.</summary>
        internal RackspaceSession ResolveSession(RackspaceSession? given)
        {
            RackspaceSession? session = given ?? SessionStore.Default;
            if (session == null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException("Not connected: run Connect-RackspaceCloud first, or pass -Session."),
                    "RackspaceSessionNotFound", ErrorCategory.ConnectionError, null));
            }
            return session!;
        }

        /// <summary>The regions asked for (as the catalog spells them), all of them, or the session's; unknown ones end the command.</summary>
        internal IReadOnlyList<string> ResolveRegions(RackspaceSession session, string[]? regions, bool allRegions, string noun)
        {
            if (allRegions) return session.Regions;
            if (regions == null || regions.Length == 0) return new[] { session.Region };
            return regions.Select(r => ResolveRegion(session, r, noun)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }

        /// <summary>The region asked for (as the catalog spells it) or the session's; an unknown one ends the command.</summary>
        internal string ResolveRegion(RackspaceSession session, string? region, string noun)
        {
            if (string.IsNullOrEmpty(region)) return session.Region;
            try
            {
                return session.Cloud.ResolveRegion(region);
            }
            catch (CloudException e)
            {
                ThrowTerminatingError(ErrorFor(e, noun, region));
                return null!;
            }
        }

        /// <summary>
        /// A record for a cloud failure: id "&lt;noun&gt;&lt;condition&gt;" (e.g. AutoSnapshotNotFound), the category the
        /// failure belongs to, and the object it concerns.
        /// </summary>
        internal static ErrorRecord ErrorFor(Exception error, string noun, object? target)
        {
            if (error is CloudException cloud)
            {
                (string condition, ErrorCategory category) = cloud.Kind switch
                {
                    CloudErrorKind.Authentication => ("AuthenticationFailed", ErrorCategory.AuthenticationError),
                    CloudErrorKind.Forbidden => ("Forbidden", ErrorCategory.PermissionDenied),
                    CloudErrorKind.NotFound => ("NotFound", ErrorCategory.ObjectNotFound),
                    CloudErrorKind.Conflict => ("Busy", ErrorCategory.ResourceBusy),
                    CloudErrorKind.RateLimited => ("RateLimited", ErrorCategory.LimitsExceeded),
                    CloudErrorKind.BadRequest => ("Rejected", ErrorCategory.InvalidOperation),
                    CloudErrorKind.Unavailable => ("ServiceUnavailable", ErrorCategory.ResourceUnavailable),
                    CloudErrorKind.Timeout => ("Timeout", ErrorCategory.OperationTimeout),
                    CloudErrorKind.Connection => ("ConnectionFailed", ErrorCategory.ConnectionError),
                    CloudErrorKind.InvalidResponse => ("InvalidResponse", ErrorCategory.InvalidData),
                    CloudErrorKind.Ambiguous => ("Ambiguous", ErrorCategory.InvalidArgument),
                    CloudErrorKind.QuotaExceeded => ("QuotaExceeded", ErrorCategory.QuotaExceeded),
                    _ => ("InvalidConfiguration", ErrorCategory.InvalidArgument),
                };
                return new ErrorRecord(cloud, noun + condition, category, target);
            }
            if (error is ArgumentException)
            {
                return new ErrorRecord(error, noun + "InvalidArgument", ErrorCategory.InvalidArgument, target);
            }
            return new ErrorRecord(error, noun + "Failed", ErrorCategory.NotSpecified, target);
        }

        public void Dispose()
        {
            _cancellation.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
