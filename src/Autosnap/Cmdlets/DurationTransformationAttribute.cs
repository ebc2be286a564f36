using System;
using System.Management.Automation;
using Autosnap.Engine;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Lets a TimeSpan parameter take the short forms monitoring configurations use ("26h", "2d", "90m") as well as
    /// TimeSpan strings; anything that is not a string is left to PowerShell's own conversion.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (!(value is string text)) return inputData;
            try
            {
                return Durations.Parse(text);
            }
            catch (FormatException e)
            {
                throw new ArgumentTransformationMetadataException(e.Message, e);
            }
        }
    }
}
