using System;
using System.Diagnostics;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// One running createImage/createBackup. Its progress is a function of real elapsed time, applied to the
/// image and the server whenever the region is touched (<see cref="RegionState.Settle"/>), so there are no
/// timers and a test that reads twice sees a monotonic progression.
/// </summary>
public sealed class SnapshotJob
{
    public required string ImageId { get; init; }
    public required string ServerId { get; init; }
    /// <summary>Stopwatch ticks at createImage; moved back by /__admin/snapshots to fast-forward.</summary>
    public required long StartedTimestamp { get; set; }
    public required TimeSpan Duration { get; init; }
    /// <summary>
    /// How long after the image is done (active, killed or deleted) the server's task_state clears: Nova's
    /// compute manager does that after the driver returns (the tier: 87-95 ms).
    /// </summary>
    public TimeSpan TaskStateLag { get; init; }
    /// <summary>The image part is done; the job waits out <see cref="TaskStateLag"/> before it frees the server.</summary>
    public bool ImageFinished { get; set; }
    /// <summary>Decided at the start (seeded), so the outcome does not depend on when it is observed.</summary>
    public required bool WillFail { get; init; }
    public required long FinalSize { get; init; }
    /// <summary>Requested through the legacy v2 (Rackspace) endpoint rather than v2.1 (Nova from the Keystone catalog).</summary>
    public required bool Legacy { get; init; }
    /// <summary>
    /// A failure deletes the image (Nova's delete_image_on_error) instead of leaving it killed (Rackspace);
    /// decided at the start from failedSnapshots and <see cref="Legacy"/>.
    /// </summary>
    public bool DeleteOnFailure { get; init; }
    /// <summary>"snapshot" or "backup".</summary>
    public required string Kind { get; init; }
    public string? BackupType { get; init; }
    public int Rotation { get; init; }

    /// <summary>
    /// Phased snapshots (captureSeconds, pendingUploadSeconds, uploadSeconds): the virtual clock at createImage, moved
    /// back by /__admin/snapshots to fast-forward; null for a snapshot that runs snapshotSeconds of real time.
    /// </summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>Phased snapshots: how long each phase lasts on the virtual clock.</summary>
    public TimeSpan Capture { get; init; }
    public TimeSpan PendingUpload { get; init; }
    public TimeSpan Upload { get; init; }

    /// <summary>
    /// 0..1 of the way at <paramref name="now"/>. A phased snapshot maps its phases onto the shares
    /// <see cref="TaskStateAt"/> uses (capture 0.1-0.3, pending upload 0.3-0.4, upload 0.4-1), so every view of it
    /// (task_state, Glance status, progress) follows the phase it is in; image_snapshot_pending takes no time.
    /// </summary>
    public double FractionAt(DateTimeOffset now)
    {
        if (StartedAt is not { } started) return Fraction;
        var elapsed = now - started;
        if (elapsed < TimeSpan.Zero) elapsed = TimeSpan.Zero;
        if (elapsed >= Capture + PendingUpload + Upload) return 1;
        if (elapsed < Capture) return 0.1 + 0.2 * (elapsed / Capture);
        elapsed -= Capture;
        if (elapsed < PendingUpload) return 0.3 + 0.1 * (elapsed / PendingUpload);
        elapsed -= PendingUpload;
        return 0.4 + 0.6 * (elapsed / Upload);
    }

    /// <summary>The fraction the region last settled the job at (views are written right after a settle).</summary>
    public double SettledFraction { get; set; }

    /// <summary>True once the image is done and the task_state lag has passed too (phased: on the virtual clock).</summary>
    public bool ServerFinishedAt(DateTimeOffset now) =>
        StartedAt is { } started ? now - started >= Capture + PendingUpload + Upload + TaskStateLag : ServerFinished;

    /// <summary>0..1 of the way from createImage to the end.</summary>
    public double Fraction
    {
        get
        {
            if (Duration <= TimeSpan.Zero) return 1;
            var elapsed = Stopwatch.GetElapsedTime(StartedTimestamp);
            return Math.Clamp(elapsed / Duration, 0, 1);
        }
    }

    /// <summary>Real time since createImage (moved on by /__admin/snapshots).</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartedTimestamp);

    /// <summary>True once the image is done and the task_state lag has passed too.</summary>
    public bool ServerFinished => Elapsed >= Duration + TaskStateLag;

    /// <summary>Nova's task_state at a point of the run (Nova: pending, snapshot, pending upload, uploading).</summary>
    public string? TaskStateAt(double fraction)
    {
        if (fraction >= 1) return null;
        if (Kind == "backup") return fraction < 0.1 ? "image_backup" : fraction < 0.4 ? "image_pending_upload" : "image_uploading";
        return fraction switch
        {
            < 0.1 => "image_snapshot_pending",
            < 0.3 => "image_snapshot",
            < 0.4 => "image_pending_upload",
            _ => "image_uploading",
        };
    }

    /// <summary>Glance status while running: queued until the upload starts, then saving.</summary>
    public static string ImageStatusAt(double fraction) => fraction < 0.4 ? "queued" : "saving";
}
