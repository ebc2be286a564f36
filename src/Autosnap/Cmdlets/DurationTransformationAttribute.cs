using System;
using System.Management.Automation;
using Autosnap.Policy;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// On every TimeSpan parameter of the module: takes the short forms people type ("26h", "7d", "90m") as well as
    /// TimeSpan strings, and refuses a bare number, which PowerShell would otherwise make into ticks: -KeepWithin 7
    /// would mean 700 nanoseconds and keep only the newest image. Anything else, a TimeSpan above all, is left to
    /// PowerShell's own conversion.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is string text) return Parse(text);
            if (IsNumber(value))
            {
                // PowerShell reads an unquoted 2d as the decimal 2; what was typed survives as the wrapper's text.
                if (inputData is PSObject && PolicyDuration.TryParse(inputData.ToString(), out TimeSpan typed)) return typed;
                throw new ArgumentTransformationMetadataException(
                    $"{inputData} is a number without a unit: give a duration such as 26h, 2d or 90m, or a TimeSpan such as 1.02:00:00.");
            }
            return inputData;
        }

        private static TimeSpan Parse(string text)
        {
            try
            {
                return PolicyDuration.Parse(text);
            }
            catch (PolicyException e)
            {
                throw new ArgumentTransformationMetadataException(e.Message, e);
            }
        }

        private static bool IsNumber(object value)
        {
            TypeCode code = Convert.GetTypeCode(value);
            return code >= TypeCode.SByte && code <= TypeCode.Decimal;
        }
    }
}
