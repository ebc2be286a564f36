using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Autosnap.Model;

namespace Autosnap.Rotation
{
    /// <summary>The size of one column of a timeline. Each scale has its own row: hour/day, day/month, week/year, month/year.</summary>
    public enum TimelineScale
    {
        /// <summary>Chosen from the images: the typical gap between them, made coarser while there would be more than 62 rows.</summary>
        Auto,
        /// <summary>A row per local day, a column per hour (24).</summary>
        Hour,
        /// <summary>A row per month, a column per day (31).</summary>
        Day,
        /// <summary>A row per ISO week-based year, a column per ISO week (53).</summary>
        Week,
        /// <summary>A row per year, a column per month (12).</summary>
        Month,
    }

    /// <summary>
    /// A plan (or a simulation) as a compact calendar, readable at a glance in an 80-column console and plain ASCII
    /// so that it survives cron logs and Windows PowerShell 5.1 consoles. Returns lines; the cmdlet prints them.
    /// </summary>
    /// <remarks>
    /// Rows run from the first image's to the last image's, empty ones included, so gaps in the history show.
    /// Columns are on the calendar of the given zone (use the policy's, so columns match its buckets). A row ends
    /// with how many of its images stay; a blank column is not on the calendar (Feb 30, week 53 of a 52-week year,
    /// the hour DST skips). The worked example of docs/retention.md under -Retention 3:
    /// <code>
    /// Timeline in UTC: a row per month, a column per day
    /// day      1   5    10   15   20   25   30
    /// 2026-01  ----------------####~..........  5 of 22 kept
    /// # kept  P pinned  ~ pending  ! failed  - deleted  x failed, deleted  . no image
    /// A column with several images shows the first of # P ~ ! - x.
    /// </code>
    /// </remarks>
    public static class RetentionTimeline
    {
        public const char Kept = '#';
        public const char Pinned = 'P';
        public const char Pending = '~';
        public const char FailedKept = '!';
        public const char Deleted = '-';
        public const char FailedDeleted = 'x';
        public const char NoImage = '.';

        /// <summary>A column that is not on the calendar: Feb 30, week 53 of a 52-week year, an hour skipped by DST.</summary>
        public const char NotInCalendar = ' ';

        /// <summary>When several images share a column, the first of these is shown: what is kept matters most.</summary>
        public const string Precedence = "#P~!-x";

        public const string Legend = "# kept  P pinned  ~ pending  ! failed  - deleted  x failed, deleted  . no image";

        public const string SeveralPerColumn = "A column with several images shows the first of # P ~ ! - x.";

        private const int MaxAutoRows = 62;

        /// <summary>The decisions of a plan on the calendar of <paramref name="timeZone"/> (gone images are left out).</summary>
        public static IReadOnlyList<string> Render(IEnumerable<RotationDecision> decisions, TimeZoneInfo timeZone, TimelineScale scale = TimelineScale.Auto)
        {
            if (decisions == null) throw new ArgumentNullException(nameof(decisions));
            var entries = new List<Entry>();
            foreach (RotationDecision decision in decisions)
            {
                char? mark = MarkOf(decision);
                if (mark.HasValue) entries.Add(new Entry(decision.Created, mark.Value));
            }

            return Render(entries, timeZone, scale);
        }

        /// <summary>A simulation: survivors as the final plan marks them, deleted images as deleted.</summary>
        public static IReadOnlyList<string> Render(SimulationResult simulation, TimeZoneInfo timeZone, TimelineScale scale = TimelineScale.Auto)
        {
            if (simulation == null) throw new ArgumentNullException(nameof(simulation));
            var finalMarks = new Dictionary<string, char?>(StringComparer.Ordinal);
            foreach (RotationDecision decision in simulation.FinalPlan) finalMarks[decision.Id] = MarkOf(decision);

            var entries = new List<Entry>();
            foreach (SimulatedImage image in simulation.Images)
            {
                char? mark = image.DeletedInRun.HasValue
                    ? (image.Snapshot.State == SnapshotState.Failed ? FailedDeleted : Deleted)
                    : finalMarks[image.Snapshot.Id];
                if (mark.HasValue) entries.Add(new Entry(image.Snapshot.Created, mark.Value));
            }

            return Render(entries, timeZone, scale);
        }

        /// <summary>The character of one decision; null for a gone image, which the timeline leaves out.</summary>
        public static char? MarkOf(RotationDecision decision)
        {
            if (decision == null) throw new ArgumentNullException(nameof(decision));
            AutoSnapshot image = decision.Snapshot;
            if (image.State == SnapshotState.Gone) return null;
            // A deleted pending image can only be one of unknown status past its timeout, which the plan counts as failed.
            if (decision.Action == RotationAction.Delete) return image.State == SnapshotState.Good ? Deleted : FailedDeleted;
            if (image.State == SnapshotState.Pending || decision.Reasons.Contains(RetentionReasons.PendingAfterRunStarted)) return Pending;
            if (image.IsPinned) return Pinned;
            if (image.State == SnapshotState.Failed) return FailedKept;
            return Kept;
        }

        private static IReadOnlyList<string> Render(IReadOnlyList<Entry> entries, TimeZoneInfo zone, TimelineScale scale)
        {
            if (zone == null) throw new ArgumentNullException(nameof(zone));

            var placed = entries
                .Select(entry => new { entry.Mark, Local = TimeZoneInfo.ConvertTime(entry.Created, zone) })
                .ToList();
            if (scale == TimelineScale.Auto) scale = ChooseScale(entries, zone);
            Layout layout = Layout.For(scale, zone);

            var lines = new List<string> { $"Timeline in {zone.Id}: a row per {layout.RowUnit}, a column per {layout.ColumnUnit}" };
            if (placed.Count == 0)
            {
                lines.Add("(no images)");
                return lines;
            }

            // Every row from the first image to the last, empty ones too: a gap in the history should show.
            var cells = new Dictionary<int, List<char>[]>();
            foreach (var image in placed)
            {
                (int row, int column) = layout.Position(image.Local.DateTime);
                if (!cells.TryGetValue(row, out List<char>[]? columns))
                {
                    columns = new List<char>[layout.Columns];
                    cells[row] = columns;
                }

                (columns[column] ??= new List<char>()).Add(image.Mark);
            }

            lines.Add(layout.Header);
            bool several = false;
            int firstRow = cells.Keys.Min();
            int lastRow = cells.Keys.Max();
            for (int row = firstRow; row <= lastRow; row++)
            {
                cells.TryGetValue(row, out List<char>[]? columns);
                var text = new StringBuilder(layout.RowLabel(row).PadRight(layout.LabelWidth));
                int total = 0;
                int kept = 0;
                for (int column = 0; column < layout.Columns; column++)
                {
                    List<char>? marks = columns?[column];
                    if (marks == null)
                    {
                        text.Append(layout.IsOnCalendar(row, column) ? NoImage : NotInCalendar);
                        continue;
                    }

                    several |= marks.Count > 1;
                    total += marks.Count;
                    kept += marks.Count(mark => mark != Deleted && mark != FailedDeleted);
                    text.Append(marks.OrderBy(mark => Precedence.IndexOf(mark)).First());
                }

                if (total > 0) text.Append(string.Format(CultureInfo.InvariantCulture, "  {0} of {1} kept", kept, total));
                lines.Add(text.ToString().TrimEnd());
            }

            lines.Add(Legend);
            if (several) lines.Add(SeveralPerColumn);
            return lines;
        }

        /// <summary>
        /// The finest scale that fits the typical (median) gap between images, so each column usually holds one image;
        /// then coarser while it would need more than 62 rows, so a long history stays one screen.
        /// </summary>
        internal static TimelineScale ChooseScale(IReadOnlyList<Entry> entries, TimeZoneInfo zone)
        {
            var times = entries.Select(entry => entry.Created).Distinct().OrderBy(time => time).ToList();
            var gaps = new List<TimeSpan>();
            for (int i = 1; i < times.Count; i++) gaps.Add(times[i] - times[i - 1]);
            gaps.Sort();
            TimeSpan median = gaps.Count == 0 ? TimeSpan.FromDays(1) : gaps[gaps.Count / 2];

            TimelineScale scale =
                median < TimeSpan.FromHours(20) ? TimelineScale.Hour :
                median < TimeSpan.FromDays(6) ? TimelineScale.Day :
                median < TimeSpan.FromDays(27) ? TimelineScale.Week :
                TimelineScale.Month;

            while (scale != TimelineScale.Month && times.Count > 0)
            {
                Layout layout = Layout.For(scale, zone);
                int first = layout.Position(TimeZoneInfo.ConvertTime(times[0], zone).DateTime).Row;
                int last = layout.Position(TimeZoneInfo.ConvertTime(times[times.Count - 1], zone).DateTime).Row;
                if (last - first + 1 <= MaxAutoRows) break;
                scale++;
            }

            return scale;
        }

        internal readonly struct Entry
        {
            public Entry(DateTimeOffset created, char mark)
            {
                Created = created;
                Mark = mark;
            }

            public DateTimeOffset Created { get; }

            public char Mark { get; }
        }

        /// <summary>Where a local time goes (row, column) and how rows and the header look, per scale.</summary>
        private abstract class Layout
        {
            public abstract string RowUnit { get; }

            public abstract string ColumnUnit { get; }

            public abstract int Columns { get; }

            public abstract int LabelWidth { get; }

            /// <summary>The unit name in the label column, then marks above the columns they name.</summary>
            public abstract string Header { get; }

            public static Layout For(TimelineScale scale, TimeZoneInfo zone)
            {
                switch (scale)
                {
                    case TimelineScale.Hour: return new HourLayout(zone);
                    case TimelineScale.Day: return new DayLayout();
                    case TimelineScale.Week: return new WeekLayout();
                    case TimelineScale.Month: return new MonthLayout();
                    default: throw new ArgumentOutOfRangeException(nameof(scale), scale, null);
                }
            }

            public abstract (int Row, int Column) Position(DateTime local);

            public abstract string RowLabel(int row);

            public abstract bool IsOnCalendar(int row, int column);
        }

        private sealed class HourLayout : Layout
        {
            private readonly TimeZoneInfo zone;

            public HourLayout(TimeZoneInfo zone) => this.zone = zone;

            public override string RowUnit => "day";
            public override string ColumnUnit => "hour";
            public override int Columns => 24;
            public override int LabelWidth => 12;
            public override string Header => "hour".PadRight(LabelWidth) + "0     6     12    18   23";

            // Rows are days counted from 0001-01-01, so consecutive days are consecutive rows.
            public override (int Row, int Column) Position(DateTime local) => ((int)(local.Date.Ticks / TimeSpan.TicksPerDay), local.Hour);

            public override string RowLabel(int row) => Date(row).ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture);

            // The hour the clocks skip in spring has no column; the hour that repeats in autumn shares one.
            public override bool IsOnCalendar(int row, int column)
            {
                DateTime start = Date(row).AddHours(column);
                return !(zone.IsInvalidTime(start) && zone.IsInvalidTime(start.AddMinutes(59)));
            }

            private static DateTime Date(int row) => new DateTime(row * TimeSpan.TicksPerDay, DateTimeKind.Unspecified);
        }

        private sealed class DayLayout : Layout
        {
            public override string RowUnit => "month";
            public override string ColumnUnit => "day";
            public override int Columns => 31;
            public override int LabelWidth => 9;
            public override string Header => "day".PadRight(LabelWidth) + "1   5    10   15   20   25   30";

            public override (int Row, int Column) Position(DateTime local) => ((local.Year * 12) + local.Month - 1, local.Day - 1);

            public override string RowLabel(int row) => string.Format(CultureInfo.InvariantCulture, "{0:D4}-{1:D2}", row / 12, (row % 12) + 1);

            public override bool IsOnCalendar(int row, int column) => column < DateTime.DaysInMonth(row / 12, (row % 12) + 1);
        }

        private sealed class WeekLayout : Layout
        {
            public override string RowUnit => "ISO year";
            public override string ColumnUnit => "ISO week";
            public override int Columns => 53;
            public override int LabelWidth => 6;
            public override string Header => "week".PadRight(LabelWidth) + "1        10        20        30        40        50";

            public override (int Row, int Column) Position(DateTime local)
            {
                IsoWeek week = IsoWeek.Of(local);
                return (week.Year, week.Week - 1);
            }

            public override string RowLabel(int row) => row.ToString("D4", CultureInfo.InvariantCulture);

            public override bool IsOnCalendar(int row, int column) => column < IsoWeek.WeeksIn(row);
        }

        private sealed class MonthLayout : Layout
        {
            public override string RowUnit => "year";
            public override string ColumnUnit => "month";
            public override int Columns => 12;
            public override int LabelWidth => 6;
            public override string Header => "month".PadRight(LabelWidth) + "JFMAMJJASOND";

            public override (int Row, int Column) Position(DateTime local) => (local.Year, local.Month - 1);

            public override string RowLabel(int row) => row.ToString("D4", CultureInfo.InvariantCulture);

            public override bool IsOnCalendar(int row, int column) => true;
        }
    }
}
