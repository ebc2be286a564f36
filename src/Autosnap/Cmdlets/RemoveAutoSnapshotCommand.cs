using System;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Deletes snapshots. Asks first (ConfirmImpact High); refuses images that are not Autosnap's or are pinned unless
    /// -Force, which also skips the question.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "AutoSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(void))]
    public sealed class RemoveAutoSnapshotCommand : AutosnapCmdlet
    {
        private const string ObjectSet = "InputObject";
        private const string IdSet = "Id";

        /// <summary>Snapshots from Get-AutoSnapshot or New-AutoSnapshot.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public AutoSnapshot[] InputObject { get; set; } = null!;

        /// <summary>Image ids.</summary>
        /// <remarks>
        /// Deliberately not bound from piped objects' Id property: rotation decisions have one too, and piping a plan
        /// here must never delete the images the plan keeps. Pipe snapshots (InputObject) instead.
        /// </remarks>
        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [Alias("ImageId")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = null!;

        /// <summary>The region of images given by id.</summary>
        [Parameter(ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string? Region { get; set; }

        /// <summary>Deletes foreign and pinned images too, and does not ask.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RackspaceSession? Session { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ObjectSet)
            {
                foreach (AutoSnapshot snapshot in InputObject)
                {
                    Remove(snapshot.Id, snapshot.Region, ResolveSession(Session ?? snapshot.Session));
                }
            }
            else
            {
                RackspaceSession session = ResolveSession(Session);
                string region = ResolveRegion(session, Region, "AutoSnapshot");
                foreach (string id in Id) Remove(id, region, session);
            }
        }

        private void Remove(string imageId, string? region, RackspaceSession session)
        {
            try
            {
                // Decide on the image as it is now, not as it was when it was listed.
                AutoSnapshot? image = Run((host, token) => new SnapshotService(session, host).FindImageAsync(imageId, region ?? session.Region, token));
                if (image == null)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No image with id '{imageId}' in {region ?? session.Region}."),
                        "AutoSnapshotNotFound", ErrorCategory.ObjectNotFound, imageId));
                    return;
                }
                if (!image.IsAutosnap && !Force.IsPresent)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(
                        $"Image '{image.Name}' ({image.Id}) is not Autosnap's (no autosnap metadata); it was left alone. Use -Force to delete it anyway."),
                        "AutoSnapshotNotOwned", ErrorCategory.PermissionDenied, image));
                    return;
                }
                if (image.IsPinned && !Force.IsPresent)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(
                        $"Snapshot '{image.Name}' ({image.Id}) is pinned; it was left alone. Unlock-AutoSnapshot it first, or use -Force."),
                        "AutoSnapshotPinned", ErrorCategory.PermissionDenied, image));
                    return;
                }
                string target = $"{image.Name} ({image.Id}), {(image.IsAutosnap ? $"schedule '{image.Schedule}'" : "not Autosnap's")}, server {image.ServerId ?? "unknown"}, " +
                                $"{image.Status}, created {image.Created:u}" + RotationService.PartsText(image);
                if (!Approved(target))
                {
                    return;
                }
                // The image first, then its volume snapshots: a live image never names deleted data.
                var (deleted, parts) = Run((host, token) => new RestorePointParts(session, image.Region ?? session.Region, host).DeleteAsync(image, token));
                WriteVerbose(deleted ? $"Deleted {target}." : $"{target} was already gone.");
                foreach (VolumeSnapshotDeletion part in parts)
                {
                    if (part.Outcome == RotationOutcome.Failed)
                    {
                        WriteError(new ErrorRecord(new InvalidOperationException($"Image {image.Id} is deleted, but its {part.Error}"),
                            "AutoSnapshotPartNotDeleted", ErrorCategory.ResourceBusy, part.Snapshot));
                    }
                }
                if (!image.IsAutosnap && image.HasVolumeParts)
                {
                    WriteWarning($"The volume snapshots of {image.Name} ({image.Id}) were left alone: the image is not Autosnap's, so neither are they ({string.Join(", ", image.VolumeSnapshotIds)}).");
                }
            }
            catch (CloudException e)
            {
                WriteError(ErrorFor(e, "AutoSnapshot", imageId));
            }
        }

        /// <summary>
        /// -WhatIf always wins; -Force skips the question unless -Confirm was asked for explicitly; otherwise
        /// ShouldProcess asks (this cmdlet's impact is High).
        /// </summary>
        private bool Approved(string target)
        {
            bool whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? value)
                ? ((SwitchParameter)value).IsPresent
                : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));
            if (Force.IsPresent && !whatIf && !MyInvocation.BoundParameters.ContainsKey("Confirm"))
            {
                return true;
            }
            return ShouldProcess(target, "Delete snapshot");
        }
    }
}
