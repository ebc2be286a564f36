namespace Autosnap.Policy
{
    /// <summary>What a policy run does with the pools of servers that no longer exist (orphans).</summary>
    public enum OrphanHandling
    {
        /// <summary>Report the orphaned pools and delete nothing in them (the default).</summary>
        Keep,

        /// <summary>Rotate orphaned pools with the policy's retention, never below one good image.</summary>
        ApplyRetention,
    }
}
