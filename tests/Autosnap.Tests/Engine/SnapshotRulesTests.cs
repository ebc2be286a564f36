using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Xunit;

namespace Autosnap.Tests.Engine
{
    /// <summary>The pure rules around a snapshot: ownership, names, metadata, and which listings a question needs.</summary>
    public class SnapshotRulesTests
    {
        private const string ServerId = "0b1c2d3e-0000-4000-8000-000000000001";

        private static AutoSnapshot Image(string name, string status = "active", params (string Key, string Value)[] properties) =>
            new AutoSnapshot(Guid.NewGuid().ToString(), name, status, DateTimeOffset.UtcNow, "DFW",
                properties.ToDictionary(p => p.Key, p => p.Value));

        [Fact]
        public void Ours_only_with_schedule_and_server_keys_that_agree_with_instance_uuid()
        {
            Assert.True(Image("a", "active", ("instance_uuid", ServerId), ("autosnap_schedule", "daily"), ("autosnap_server", ServerId)).IsAutosnap);
            Assert.False(Image("b", "active", ("instance_uuid", ServerId), ("autosnap_schedule", "daily")).IsAutosnap);
            Assert.False(Image("c", "active", ("instance_uuid", ServerId), ("autosnap_server", ServerId)).IsAutosnap);
            // metadata copied onto another server's image (e.g. by hand) does not make it ours
            Assert.False(Image("d", "active", ("instance_uuid", "someone-else"), ("autosnap_schedule", "daily"), ("autosnap_server", ServerId)).IsAutosnap);
        }

        [Fact]
        public void The_name_never_decides_ownership()
        {
            AutoSnapshot legacy = Image($"web1-autosnap-{ServerId}", "active", ("instance_uuid", ServerId));
            Assert.False(legacy.IsAutosnap);
            Assert.True(legacy.IsLegacyNamed);
            Assert.Null(legacy.Schedule);
        }

        [Theory]
        [InlineData("active", SnapshotState.Good)]
        [InlineData("ACTIVE", SnapshotState.Good)]
        [InlineData("queued", SnapshotState.Pending)]
        [InlineData("saving", SnapshotState.Pending)]
        [InlineData("SAVING", SnapshotState.Pending)]
        [InlineData("uploading", SnapshotState.Pending)]
        [InlineData("importing", SnapshotState.Pending)]
        [InlineData("something-new", SnapshotState.Pending)]
        [InlineData("killed", SnapshotState.Failed)]
        [InlineData("ERROR", SnapshotState.Failed)]
        [InlineData("deleted", SnapshotState.Gone)]
        [InlineData("pending_delete", SnapshotState.Gone)]
        public void Status_classes(string status, SnapshotState state)
        {
            Assert.Equal(state, SnapshotStates.Classify(status));
        }

        [Fact]
        public void Names_carry_server_schedule_and_a_utc_timestamp()
        {
            var server = new RackspaceServer(ServerId, "web1", "ACTIVE", null, "DFW", null, new Dictionary<string, string>());
            var at = new DateTimeOffset(2026, 1, 20, 1, 5, 0, TimeSpan.FromHours(1));
            Assert.Equal("web1-daily-20260120T000500Z", SnapshotService.FormatName(SnapshotService.DefaultNameTemplate, server, "daily", at));
            Assert.Equal($"2026-01-20 {ServerId}", SnapshotService.FormatName("{date} {id}", server, "daily", at));
            Assert.Equal(255, SnapshotService.FormatName(new string('x', 300), server, "daily", at).Length);
        }

        [Fact]
        public void Metadata_gets_the_ownership_keys_and_the_request_token()
        {
            var metadata = SnapshotService.BuildMetadata(ServerId, "weekly", "token-1", new Dictionary<string, string> { ["owner"] = "ops" });
            Assert.Equal("weekly", metadata[AutosnapMetadata.Schedule]);
            Assert.Equal(ServerId, metadata[AutosnapMetadata.Server]);
            Assert.Equal("token-1", metadata[AutosnapMetadata.Request]);
            Assert.Equal("ops", metadata["owner"]);
        }

        [Theory]
        [InlineData("autosnap_schedule", "reserved")]
        [InlineData("AUTOSNAP_pinned", "reserved")]
        [InlineData("com.rackspace__1__x", "reserved by the cloud")]
        [InlineData("org.openstack__1__os_distro", "reserved by the cloud")]
        [InlineData("", "1 to 255")]
        public void Reserved_or_invalid_metadata_keys_are_refused(string key, string message)
        {
            var error = Assert.Throws<ArgumentException>(() => SnapshotService.BuildMetadata(ServerId, "daily", "t", new Dictionary<string, string> { [key] = "v" }));
            Assert.Contains(message, error.Message);
        }

        [Fact]
        public void More_than_forty_metadata_items_are_refused()
        {
            var extra = Enumerable.Range(0, 37).ToDictionary(i => "k" + i, i => "v");
            var error = Assert.Throws<ArgumentException>(() => SnapshotService.BuildMetadata(ServerId, "daily", "t", extra));
            Assert.Contains("41 items", error.Message);
        }

        [Theory]
        [InlineData("daily")]
        [InlineData("every-6h")]
        [InlineData("Q1.reports_2026")]
        public void Valid_schedule_names(string schedule)
        {
            SnapshotService.ValidateSchedule(schedule);
        }

        [Theory]
        [InlineData("")]
        [InlineData("-daily")]
        [InlineData("daily weekly")]
        [InlineData("daily/7")]
        public void Invalid_schedule_names(string schedule)
        {
            Assert.Throws<ArgumentException>(() => SnapshotService.ValidateSchedule(schedule));
        }

        [Fact]
        public void A_pool_is_listed_with_both_ownership_keys_on_the_server()
        {
            var query = SnapshotFinder.QueriesFor(new SnapshotFilter { ServerId = ServerId, Schedules = new[] { "daily" } }).Single();
            Assert.Equal("daily", query.Properties[AutosnapMetadata.Schedule]);
            Assert.Equal(ServerId, query.Properties[AutosnapMetadata.Server]);
        }

        [Fact]
        public void Foreign_images_of_a_server_come_from_instance_uuid_and_autosnap_server_for_volume_backed_ones()
        {
            var queries = SnapshotFinder.QueriesFor(new SnapshotFilter { ServerId = ServerId, IncludeForeign = true }).ToList();
            Assert.Equal(2, queries.Count);
            Assert.Equal(ServerId, queries[0].Properties[AutosnapMetadata.InstanceUuid]);
            Assert.Equal(ServerId, queries[1].Properties[AutosnapMetadata.Server]);
        }

        [Fact]
        public void Without_server_or_schedule_only_snapshots_and_volume_backed_restore_points_are_listed_never_the_whole_account()
        {
            // Nova gives images of volume-backed servers no image_type: image_type=snapshot alone would miss them.
            var queries = SnapshotFinder.QueriesFor(new SnapshotFilter()).ToList();
            Assert.Equal(2, queries.Count);
            Assert.Equal("snapshot", queries[0].Properties["image_type"]);
            Assert.Equal("true", queries[1].Properties[AutosnapMetadata.VolumeBacked]);
            Assert.All(queries, q => Assert.Single(q.Properties));
        }

        [Fact]
        public void Client_side_checks_hold_even_when_the_cloud_ignores_the_filters()
        {
            var filter = new SnapshotFilter { ServerId = ServerId, Schedules = new[] { "daily" } };
            Assert.True(SnapshotFinder.Matches(Image("ours", "active", ("instance_uuid", ServerId), ("autosnap_schedule", "daily"), ("autosnap_server", ServerId)), filter));
            Assert.False(SnapshotFinder.Matches(Image("weekly", "active", ("instance_uuid", ServerId), ("autosnap_schedule", "weekly"), ("autosnap_server", ServerId)), filter));
            Assert.False(SnapshotFinder.Matches(Image("manual", "active", ("instance_uuid", ServerId)), filter));
            Assert.False(SnapshotFinder.Matches(Image("base image"), filter));
        }

        [Fact]
        public void Glance_queries_are_sorted_newest_first_and_paged()
        {
            var query = new ImageQuery { PageSize = 500 };
            query.Properties["autosnap_server"] = ServerId;
            query.Properties["autosnap_schedule"] = "daily";
            Assert.Equal($"?autosnap_schedule=daily&autosnap_server={ServerId}&sort_key=created_at&sort_dir=desc&limit=500", query.ToQueryString());
        }

        [Fact]
        public void Json_answers_must_be_one_object_and_keep_dates_as_written()
        {
            Assert.Throws<FormatException>(() => JsonFields.Parse("[1,2]"));
            Assert.Throws<FormatException>(() => JsonFields.Parse("{\"a\":1} {\"b\":2}"));
            Assert.ThrowsAny<Newtonsoft.Json.JsonException>(() => JsonFields.Parse("{\"images\": [{\"id\": \"x\""));
            var members = JsonFields.SimpleMembers(JsonFields.Parse("{\"when\":\"2026-01-20T00:05:00Z\",\"n\":3,\"nested\":{\"a\":1}}"));
            Assert.Equal("2026-01-20T00:05:00Z", members["when"]);
            Assert.Equal("3", members["n"]);
            Assert.False(members.ContainsKey("nested"));
        }
    }
}
