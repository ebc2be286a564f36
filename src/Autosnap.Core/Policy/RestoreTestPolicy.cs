using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Policy
{
    /// <summary>Which good restore point of a pool a restore test boots.</summary>
    public enum RestorePick
    {
        /// <summary>The newest good restore point.</summary>
        Newest,

        /// <summary>A random good restore point created within <see cref="RestoreTestPolicy.Within"/> of the newest good one.</summary>
        Random,
    }

    /// <summary>
    /// A policy's "restoreTest": how often each of its pools is proven to boot, which restore point is booted, on
    /// which flavor and network, and how long the boot may take. Immutable and valid (the same rules as the file).
    /// </summary>
    public sealed class RestoreTestPolicy
    {
        /// <summary>How long a throwaway server may take to become ACTIVE (and pass validation) unless the policy says otherwise.</summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(15);

        /// <summary>The longest wait a restore test may ask for.</summary>
        public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

        /// <summary>The window a random pick looks back in unless the policy says otherwise.</summary>
        public static readonly TimeSpan DefaultWithin = TimeSpan.FromDays(7);

        /// <summary>The longest interval between tests: a pool tested less than once a year is not tested.</summary>
        public static readonly TimeSpan MaxEvery = TimeSpan.FromDays(366);

        /// <summary>The "network" value that asks for no network at all (Nova 2.37 and later).</summary>
        public const string NoNetwork = "none";

        /// <exception cref="PolicyException">A value the policy file would refuse.</exception>
        public RestoreTestPolicy(TimeSpan every, RestorePick pick = RestorePick.Newest, TimeSpan? within = null, string? flavor = null,
                                 string? network = null, TimeSpan? timeout = null)
            : this(every, pick, within, flavor, network, timeout, Sites.InCode().Child("restoreTest"))
        {
        }

        internal RestoreTestPolicy(TimeSpan every, RestorePick pick, TimeSpan? within, string? flavor, string? network, TimeSpan? timeout, Sites sites)
        {
            Every = Check(every, MaxEvery, sites.At("every"));
            if (!Enum.IsDefined(typeof(RestorePick), pick))
            {
                throw sites.At("pick").Error(PolicyException.ValueInvalid, "'" + pick + "' is not one of " + string.Join(", ", Enum.GetNames(typeof(RestorePick))) + ".");
            }
            Pick = pick;
            if (within.HasValue && pick != RestorePick.Random)
            {
                throw sites.At("within").Error(PolicyException.FieldConflict, "only a random pick looks back; give \"pick\": \"random\" or leave within out.");
            }
            Within = within.HasValue ? Check(within.Value, MaxEvery, sites.At("within")) : DefaultWithin;
            Flavor = flavor == null ? null : CheckName(flavor, sites.At("flavor"));
            Network = network == null ? null : CheckName(network, sites.At("network"));
            Timeout = timeout.HasValue ? Check(timeout.Value, MaxTimeout, sites.At("timeout")) : DefaultTimeout;
        }

        /// <summary>A pool is due when its last restore test (verified or failed) is at least this old, or it has none.</summary>
        public TimeSpan Every { get; }

        public RestorePick Pick { get; }

        /// <summary>For <see cref="RestorePick.Random"/>: how far back from the newest good restore point the pick may go.</summary>
        public TimeSpan Within { get; }

        /// <summary>The flavor (id or name) to boot; null: the smallest that fits (<see cref="Engine.FlavorChoice"/>).</summary>
        public string? Flavor { get; }

        /// <summary>The network (id or name) to boot on, "none" for none; null: the cloud's choice.</summary>
        public string? Network { get; }

        /// <summary>How long the throwaway server may take to become ACTIVE and pass validation.</summary>
        public TimeSpan Timeout { get; }

        /// <summary>
        /// The due rule: true when no image of the pool carries a restore test result, or the newest result (verified or
        /// failed, on any image of the pool) is at least <paramref name="every"/> old at <paramref name="now"/> (cloud time).
        /// </summary>
        public static bool IsDue(TimeSpan every, IEnumerable<AutoSnapshot> pool, DateTimeOffset now)
        {
            DateTimeOffset? last = LastTested(pool);
            return last == null || now - last.Value >= every;
        }

        /// <inheritdoc cref="IsDue(TimeSpan, IEnumerable{AutoSnapshot}, DateTimeOffset)"/>
        public bool IsDue(IEnumerable<AutoSnapshot> pool, DateTimeOffset now) => IsDue(Every, pool, now);

        /// <summary>When any image of the pool was last restore-tested, whatever the outcome; null: never.</summary>
        public static DateTimeOffset? LastTested(IEnumerable<AutoSnapshot> pool)
        {
            if (pool == null) throw new ArgumentNullException(nameof(pool));
            DateTimeOffset? last = null;
            foreach (AutoSnapshot image in pool)
            {
                foreach (DateTimeOffset? time in new[] { image.RestoreVerified, image.RestoreFailed })
                {
                    if (time.HasValue && (last == null || time.Value > last.Value)) last = time;
                }
            }
            return last;
        }

        public override string ToString() =>
            "every " + PolicyDuration.Format(Every) + ", " + (Pick == RestorePick.Newest ? "newest" : "random within " + PolicyDuration.Format(Within)) +
            (Flavor == null ? string.Empty : ", flavor " + Flavor) + (Network == null ? string.Empty : ", network " + Network) +
            ", timeout " + PolicyDuration.Format(Timeout);

        private static TimeSpan Check(TimeSpan value, TimeSpan max, ErrorSite site)
        {
            if (value <= TimeSpan.Zero || value > max)
            {
                throw site.Error(PolicyException.ValueOutOfRange,
                    "must be longer than zero and at most " + PolicyDuration.Format(max) + ", not " + PolicyDuration.Format(value) + ".");
            }
            return value;
        }

        private static string CheckName(string value, ErrorSite site)
        {
            if (string.IsNullOrWhiteSpace(value)) throw site.Error(PolicyException.ValueEmpty, "cannot be empty; leave it out for the default.");
            if (value.Any(char.IsControl)) throw site.Error(PolicyException.ValueInvalid, "cannot contain control characters.");
            return value;
        }
    }
}
