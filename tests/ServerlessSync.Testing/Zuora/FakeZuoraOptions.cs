namespace ServerlessSync.Testing.Zuora;

/// <summary>How a <see cref="FakeZuora"/> behaves beyond its tenant's data.</summary>
public sealed record FakeZuoraOptions
{
    /// <summary>The OAuth client id the token endpoint accepts.</summary>
    public string ClientId { get; init; } = "test-client";

    /// <summary>The OAuth client secret the token endpoint accepts.</summary>
    public string ClientSecret { get; init; } = "test-secret";

    /// <summary>The life of an issued token (<c>expires_in</c>); <see cref="FakeZuora.SetTokenLifetime"/> changes it later.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromSeconds(3599);

    /// <summary>How many status polls move a job one step (AQuA submitted → executing → completed; Data Query accepted → in_progress → completed).</summary>
    public int PollsPerStep { get; init; } = 1;

    /// <summary>
    /// How long after its submission (on <see cref="TimeProvider"/>) a job may complete at the earliest: until then every
    /// status poll answers it still running, however many polls arrive. Null: jobs move by polls alone.
    /// </summary>
    public TimeSpan? JobDuration { get; init; }

    /// <summary>
    /// Per Zuora object (case-insensitive), how long after its submission an AQuA job exporting it may complete at the
    /// earliest, in place of <see cref="JobDuration"/>: a tenant whose objects' jobs take different times.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan>? JobDurationPerObject { get; init; }

    /// <summary>The clock token expiry and job timestamps read.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where a window without a lower bound is taken to start when measuring its length for
    /// <see cref="FakeZuora.NeverCompleteWindowsLongerThan"/> (the client's default historical floor).
    /// </summary>
    public DateTimeOffset HistoricalFloor { get; init; } = new(2006, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Whether an export file's header names each column <c>Object.Field</c> (<c>Account.Id</c>), as Zuora does with
    /// <c>useQueryLabels</c> (the public connectors singer-io/tap-zuora and estuary source-zuora both strip that prefix);
    /// false writes the names as queried (<c>Id</c>).
    /// </summary>
    public bool PrefixedHeaders { get; init; } = true;

    /// <summary>
    /// When set, a completed AQuA batch lists its result as <c>segments</c>, files of at most this many records each (every
    /// one with its header line), and has no <c>fileId</c>, as a tenant with AQuA file segmentation does (Zuora: at most
    /// 500,000 records a file). Null: one file, <c>fileId</c>.
    /// </summary>
    public int? SegmentRecords { get; init; }

    /// <summary>
    /// When set, downloading a result file of more records than this answers HTTP 403 with the body
    /// <c>&lt;security:max-object-size&gt;2047MB&lt;/security:max-object-size&gt;</c>, as Zuora answers for a file over
    /// 2,047 MB (GET /v1/files/{file-id} in Zuora's API reference). Null: no limit.
    /// </summary>
    public int? MaxFileRecords { get; init; }

    /// <summary>
    /// Zuora system time (Pacific by default): an export writes a datetime that is midnight in it as the date alone
    /// (Zuora's "DateTime field behavior after changing your time zone", Export ZOQL and Data Source Exports).
    /// </summary>
    public TimeZoneInfo SystemTimeZone { get; init; } = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");

    /// <summary>
    /// When set, the tenant is multi-entity and the OAuth client reaches several entities: every call but the token must
    /// carry <c>Zuora-Entity-Ids</c> with this value, else it answers 400 with Zuora's REST error body (the shape is
    /// assumed; Zuora's reference only says the header must then be given). Null: the header is not needed.
    /// </summary>
    public string? EntityId { get; init; }
}

/// <summary>One request the fake received.</summary>
/// <param name="Method">the HTTP method</param>
/// <param name="Path">the path, e.g. <c>/v1/batch-query/</c></param>
/// <param name="QueryString">the query string with its leading '?', or empty</param>
/// <param name="Body">the body as UTF-8 text (empty when none)</param>
/// <param name="HadBearerToken">whether it carried <c>Authorization: Bearer …</c></param>
/// <param name="IdempotencyKey">its <c>Idempotency-Key</c> header, or null</param>
/// <param name="EntityIds">its <c>Zuora-Entity-Ids</c> header, or null</param>
public sealed record ZuoraRequest(string Method, string Path, string QueryString, string Body, bool HadBearerToken, string? IdempotencyKey = null, string? EntityIds = null);

/// <summary>How an AQuA job made to fail by <see cref="FakeZuora.FailNextAquaJob"/> ends.</summary>
public enum AquaJobFailure
{
    /// <summary>Job status <c>error</c> with <c>errorCode</c> and <c>message</c>; its batch <c>aborted</c> with the message.</summary>
    Error,

    /// <summary>Job status <c>aborted</c>; its batch <c>aborted</c> with the message.</summary>
    Aborted,
}

/// <summary>How the result of a Data Query job made odd by <see cref="FakeZuora.FaultNextDataQueryResult"/> looks (or that it fails).</summary>
public enum DataQueryResultFault
{
    /// <summary>Completed with <c>outputRows</c> 0 and no <c>dataFile</c> (the job's real rows are dropped).</summary>
    NoDataFile,

    /// <summary>Completed with <c>outputRows</c> 0 and a data file of zero bytes.</summary>
    ZeroByteFile,

    /// <summary>Completed with a data file that is not valid UTF-8 (bytes FF FE in a record).</summary>
    InvalidUtf8,

    /// <summary>Ends <c>failed</c>, with no reason: the definition's data query job has no error field.</summary>
    Failed,
}
