using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Rotation;
using Xunit;

namespace Autosnap.Tests.Rotation
{
    public class TimeZonesTests
    {
        private static readonly DateTimeOffset Winter = new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
        private static readonly DateTimeOffset Summer = new DateTimeOffset(2026, 7, 15, 12, 0, 0, TimeSpan.Zero);

        [Theory]
        [InlineData("Europe/Berlin", 1, 2)]
        [InlineData("W. Europe Standard Time", 1, 2)]
        [InlineData("America/New_York", -5, -4)]
        [InlineData("Eastern Standard Time", -5, -4)]
        [InlineData("Asia/Kolkata", 5.5, 5.5)]
        [InlineData("Australia/Sydney", 11, 10)]
        [InlineData("AUS Eastern Standard Time", 11, 10)]
        public void IANA_and_Windows_ids_find_the_same_rules(string id, double winterHours, double summerHours)
        {
            TimeZoneInfo zone = TimeZones.Find(id);

            Assert.Equal(TimeSpan.FromHours(winterHours), zone.GetUtcOffset(Winter));
            Assert.Equal(TimeSpan.FromHours(summerHours), zone.GetUtcOffset(Summer));
        }

        [Theory]
        [InlineData("UTC")]
        [InlineData(" utc ")]
        [InlineData("Etc/UTC")]
        [InlineData("Zulu")]
        public void UTC_needs_no_time_zone_data(string id)
        {
            Assert.Same(TimeZoneInfo.Utc, TimeZones.Find(id, _ => null));
        }

        [Theory]
        [InlineData("Mars/Olympus_Mons")]
        [InlineData("W. Europe Time")]
        public void An_unknown_id_is_a_clear_error(string id)
        {
            var error = Assert.Throws<RetentionPolicyException>(() => TimeZones.Find(id));

            Assert.Equal("TimeZoneNotFound", error.ErrorId);
            Assert.Equal("TimeZone", error.ParamName);
            Assert.StartsWith($"Unknown time zone '{id}'. Use an IANA id such as 'Europe/Berlin'", error.Message);
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData(null)]
        public void An_empty_id_is_a_clear_error(string? id)
        {
            var error = Assert.Throws<RetentionPolicyException>(() => TimeZones.Find(id!));

            Assert.Equal("TimeZoneNotFound", error.ErrorId);
            Assert.StartsWith("A time zone id is required", error.Message);
        }

        /// <summary>Windows PowerShell 5.1: .NET Framework's lookup knows Windows ids only.</summary>
        private static TimeZoneInfo? NetFrameworkLookup(string id) =>
            TimeZoneInfo.TryConvertWindowsIdToIanaId(id, out _) && !id.Contains('/') ? TimeZoneInfo.FindSystemTimeZoneById(id) : null;

        /// <summary>.NET without ICU (invariant globalization) on Linux: the lookup knows IANA ids only, and only as spelled.</summary>
        private static TimeZoneInfo? IanaOnlyLookup(string id) =>
            id.Contains('/') && TimeZoneInfo.TryFindSystemTimeZoneById(id, out TimeZoneInfo? zone) && zone.HasIanaId ? zone : null;

        [Theory]
        [InlineData("Europe/Berlin", "W. Europe Standard Time")]
        [InlineData("europe/berlin", "W. Europe Standard Time")]
        [InlineData("America/New_York", "Eastern Standard Time")]
        [InlineData("US/Eastern", "Eastern Standard Time")]
        [InlineData("Asia/Calcutta", "India Standard Time")]
        [InlineData("W. Europe Standard Time", "W. Europe Standard Time")]
        public void On_NET_Framework_IANA_ids_resolve_through_the_CLDR_mapping(string id, string windowsId)
        {
            TimeZoneInfo zone = TimeZones.Find(id, NetFrameworkLookup);

            Assert.Equal(windowsId, zone.Id);
        }

        [Theory]
        [InlineData("W. Europe Standard Time", "Europe/Berlin")]
        [InlineData("w. europe standard time", "Europe/Berlin")]
        [InlineData("Eastern Standard Time", "America/New_York")]
        [InlineData("europe/berlin", "Europe/Berlin")]
        public void Without_ICU_Windows_ids_resolve_through_the_CLDR_mapping(string id, string ianaId)
        {
            TimeZoneInfo zone = TimeZones.Find(id, IanaOnlyLookup);

            Assert.Equal(ianaId, zone.Id);
        }

        [Fact]
        public void An_id_neither_lookup_nor_mapping_knows_is_still_an_error_with_a_custom_lookup()
        {
            var error = Assert.Throws<RetentionPolicyException>(() => TimeZones.Find("Europe/Atlantis", NetFrameworkLookup));

            Assert.Equal(RetentionPolicyException.TimeZoneNotFound, error.ErrorId);
        }
    }
}
