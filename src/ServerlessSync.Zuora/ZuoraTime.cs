namespace ServerlessSync.Zuora;

/// <summary>
/// Zuora system time: Pacific Time (GMT-08:00, GMT-07:00 in daylight saving time), which Zuora's "Date and dateTime
/// formats" page names as the system time zone. An export writes a datetime that is midnight in it as the date alone
/// ("DateTime field behavior after changing your time zone").
/// </summary>
public static class ZuoraTime
{
    /// <summary><c>America/Los_Angeles</c> from the system's time zone data, or <see cref="UsPacificRules"/> where there is none.</summary>
    public static TimeZoneInfo Pacific { get; } = FindPacific();

    /// <summary>US Pacific time by the rules in force since 2007: daylight time from the second Sunday of March to the first Sunday of November, at 02:00.</summary>
    public static TimeZoneInfo UsPacificRules()
    {
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            DateTime.MinValue.Date,
            DateTime.MaxValue.Date,
            TimeSpan.FromHours(1),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0, DateTimeKind.Unspecified), 3, 2, DayOfWeek.Sunday),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0, DateTimeKind.Unspecified), 11, 1, DayOfWeek.Sunday));
        return TimeZoneInfo.CreateCustomTimeZone("US Pacific (Zuora system time)", TimeSpan.FromHours(-8), "US Pacific", "PST", "PDT", [rule]);
    }

    private static TimeZoneInfo FindPacific()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // A container without time zone data.
            return UsPacificRules();
        }
    }
}
