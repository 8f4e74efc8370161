using System.Text.Json.Serialization;

namespace ServerlessSync.Core.Model;

/// <summary>
/// What one destination check concluded, written PASS, FAIL, WARN or SKIP: <see cref="Pass"/> the item is as the loader
/// needs it; <see cref="Fail"/> it is wrong and the result's fix says what to apply; <see cref="Warn"/> it works but
/// deserves a look; <see cref="Skip"/> it does not apply to these settings, or could not run because an earlier check failed.
/// </summary>
[JsonConverter(typeof(WireEnumConverter<CheckOutcome>))]
public enum CheckOutcome { Pass, Fail, Warn, Skip }

/// <summary>One numbered check's result.</summary>
/// <param name="Number">1 to 7, the checklist's order</param>
/// <param name="Name">the check's short name</param>
/// <param name="Outcome">PASS, FAIL, WARN or SKIP</param>
/// <param name="Message">what was found, one line</param>
/// <param name="Fix">on FAIL (and some WARNs): the policy JSON, trust policy JSON or SQL to apply</param>
/// <param name="CauseCode">when an authentication error was behind it: the documented cause (<c>AUTH_…</c>)</param>
public sealed record CheckResult(int Number, string Name, CheckOutcome Outcome, string Message, string? Fix = null, string? CauseCode = null)
{
    /// <summary>One line naming the check and what it found: <c>check 4 (database privileges) FAIL: …</c>.</summary>
    [JsonIgnore]
    public string Summary => $"check {Number} ({Name}) {WireText.Of(Outcome)}: {Message}";
}

/// <summary>The whole report: each check in order; <see cref="Passed"/> when none failed.</summary>
public sealed record DoctorReport(string Destination, IReadOnlyList<CheckResult> Checks)
{
    /// <summary>No check FAILed (WARN and SKIP do not fail the report).</summary>
    public bool Passed => Checks.All(c => c.Outcome != CheckOutcome.Fail);

    /// <summary>The first check that FAILed, or null.</summary>
    [JsonIgnore]
    public CheckResult? FirstFailure => Checks.FirstOrDefault(c => c.Outcome == CheckOutcome.Fail);
}

/// <summary>
/// One run of the destination checks for a connector, as the status store keeps its latest: when it ran, what started
/// it (<c>api</c>, <c>firstSync</c>…), the sync run it gated (null when started on its own) and the report.
/// </summary>
public sealed record DestinationCheckRun(string ConnectorId, DateTimeOffset RanAt, string Trigger, string? RunId, DoctorReport Report);
