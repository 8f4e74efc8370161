using System.Text.Json.Serialization;

namespace ServerlessSync.Functions.Events;

/// <summary>
/// The EventBridge envelope of the Redshift Data API's "Redshift Data Statement Status Change" event
/// (<c>source</c> <c>aws.redshift-data</c>), sent for statements submitted with <c>WithEvent</c>; the detail says
/// which statement ended and how.
/// </summary>
public sealed record DataApiStatusEvent(
    [property: JsonPropertyName("detail-type")] string DetailType,
    string Source,
    DataApiStatusDetail Detail)
{
    public const string ExpectedSource = "aws.redshift-data";

    public const string ExpectedDetailType = "Redshift Data Statement Status Change";

    public string? Version { get; init; }

    public string? Id { get; init; }

    public string? Account { get; init; }

    public string? Time { get; init; }

    public string? Region { get; init; }

    public IReadOnlyList<string>? Resources { get; init; }
}

/// <summary>
/// The event's detail: <see cref="State"/> is <c>FINISHED</c>, <c>FAILED</c> or <c>ABORTED</c>; <see cref="StatementName"/>
/// is the name given at submission (absent when none was given); <see cref="ExpireAt"/> is when the result expires, in
/// epoch seconds.
/// </summary>
public sealed record DataApiStatusDetail(string StatementId, string State)
{
    public string? StatementName { get; init; }

    public string? Principal { get; init; }

    public long? RedshiftQueryId { get; init; }

    public long? Rows { get; init; }

    public long? ExpireAt { get; init; }

    /// <summary>The statement has ended: the only states whose event says something to act on.</summary>
    public bool HasEnded => State is "FINISHED" or "FAILED" or "ABORTED";
}
