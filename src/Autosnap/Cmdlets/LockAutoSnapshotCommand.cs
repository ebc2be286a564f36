using System;
using System.Collections.Generic;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Pins snapshots (image metadata autosnap_pinned=true): rotation keeps them and does not count them, and
    /// Remove-AutoSnapshot refuses them without -Force.
    /// </summary>
    [Cmdlet(VerbsCommon.Lock, "AutoSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = PinCommand.ObjectSet)]
    [OutputType(typeof(AutoSnapshot))]
    public sealed class LockAutoSnapshotCommand : PinCommand
    {
        protected override bool Pin => true;
    }

    /// <summary>Unpins snapshots: rotation counts them again and may delete them.</summary>
    [Cmdlet(VerbsCommon.Unlock, "AutoSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PinCommand.ObjectSet)]
    [OutputType(typeof(AutoSnapshot))]
    public sealed class UnlockAutoSnapshotCommand : PinCommand
    {
        protected override bool Pin => false;
    }

    /// <summary>Lock- and Unlock-AutoSnapshot: the same metadata flag, set or removed.</summary>
    public abstract class PinCommand : AutosnapCmdlet
    {
        internal const string ObjectSet = "InputObject";
        private const string IdSet = "Id";

        protected abstract bool Pin { get; }

        /// <summary>Snapshots from Get-AutoSnapshot.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public AutoSnapshot[] InputObject { get; set; } = null!;

        /// <summary>Image ids. Not bound from piped objects' Id: a piped plan must not unpin what it lists.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(ImageIdCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = null!;

        /// <summary>The region of images given by id.</summary>
        [Parameter(ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string? Region { get; set; }

        /// <summary>Writes the changed snapshots.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RackspaceSession? Session { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ObjectSet)
            {
                foreach (AutoSnapshot snapshot in InputObject) Change(snapshot.Id, snapshot.Region, ResolveSession(Session ?? snapshot.Session));
            }
            else
            {
                RackspaceSession session = ResolveSession(Session);
                string region = ResolveRegion(session, Region, "AutoSnapshot");
                foreach (string id in Id) Change(id, region, session);
            }
        }

        private void Change(string imageId, string? region, RackspaceSession session)
        {
            string where = region ?? session.Region;
            try
            {
                AutoSnapshot? image = Run((host, token) => new SnapshotService(session, host).FindImageAsync(imageId, where, token));
                if (image == null)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No image with id '{imageId}' in {where}."), "AutoSnapshotNotFound", ErrorCategory.ObjectNotFound, imageId));
                    return;
                }
                if (!image.IsAutosnap)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(
                        $"Image '{image.Name}' ({image.Id}) is not Autosnap's; rotation never deletes it, so there is nothing to {(Pin ? "pin" : "unpin")}."),
                        "AutoSnapshotNotOwned", ErrorCategory.InvalidOperation, image));
                    return;
                }
                if (image.IsPinned == Pin)
                {
                    if (PassThru.IsPresent) WriteObject(image);
                    return;
                }
                if (!ShouldProcess($"{image.Name} ({image.Id})", Pin ? "Pin snapshot (rotation keeps it)" : "Unpin snapshot (rotation may delete it)"))
                {
                    return;
                }
                var change = new Dictionary<string, string?> { [AutosnapMetadata.Pinned] = Pin ? "true" : null };
                AutoSnapshot changed = Run((host, token) => new ImageClient(session.Cloud, where, host).UpdatePropertiesAsync(image, change, token));
                changed.Session = session;
                if (PassThru.IsPresent) WriteObject(changed);
            }
            catch (CloudException e)
            {
                WriteError(ErrorFor(e, "AutoSnapshot", imageId));
            }
        }
    }
}
