using System.Text.Json.Serialization;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Functions.Events;

// The JSON each function takes and returns inside the state machine (docs/workflow.md is the contract; camelCase).

/// <summary>StartRun's input: the execution's input and its name (the run id when the input names none).</summary>
public sealed record StartRunInput
{
    public ExecutionInput? Input { get; init; }

    public string? ExecutionName { get; init; }
}

/// <summary>What an execution is started with: everything optional (the schedule starts it with <c>{}</c>).</summary>
public sealed record ExecutionInput
{
    public string? ConnectorId { get; init; }

    public string? RunId { get; init; }

    public IReadOnlyList<string>? Objects { get; init; }

    /// <summary>Who started the run (<c>schedule</c>, <c>api</c>…): logged only.</summary>
    public string? Trigger { get; init; }

    /// <summary>A run whose workflow the status API found ended without finishing it: its lock is taken over.</summary>
    public string? TakeOverFrom { get; init; }
}

/// <summary>
/// The run StartRun planned; the Map state iterates over <see cref="Objects"/>. <see cref="CheckDestination"/>: the
/// connector's first historical sync, which runs the destination checks (the Doctor function) before extracting.
/// </summary>
public sealed record RunMessage(string ConnectorId, string RunId, DateTimeOffset StartedAt, IReadOnlyList<ObjectPlanMessage> Objects)
{
    public bool CheckDestination { get; init; }
}

/// <summary>The Doctor function's input: the connector (default: the stack's), what started it, and the run it gates.</summary>
public sealed record DoctorInput
{
    public string? ConnectorId { get; init; }

    /// <summary><c>api</c> (<c>POST /connectors/{id}/checks</c>), <c>firstSync</c> (the state machine)…; default <c>invoke</c>.</summary>
    public string? Trigger { get; init; }

    public string? RunId { get; init; }
}

/// <summary>
/// The Doctor function's output: whether every check passed and, when one FAILed, <see cref="Failed"/>: the first failing
/// check in one line (<c>check 4 (database privileges) FAIL: …</c>), which a gated run's FinishRun keeps as its error.
/// </summary>
public sealed record DoctorOutput(string ConnectorId, bool Passed, DateTimeOffset RanAt)
{
    /// <summary>Written even when null: the state machine's ResultSelector reads it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Failed { get; init; }
}

/// <summary>A run as the later states name it (StartRun's output without its objects; extra members are ignored).</summary>
public sealed record RunReference(string ConnectorId, string RunId, DateTimeOffset StartedAt);

/// <summary>
/// One object's plan: its window (<see cref="WindowStart"/> null = historical) and the cursor it moves from (null = none
/// yet). Both are written even when null, and may be left out when read.
/// </summary>
public sealed record ObjectPlanMessage
{
    public required string ObjectName { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? ExpectedCursor { get; init; }
}

/// <summary>
/// Extract's input: the run, one of its objects, and the task token the manifest carries to the load; with
/// <see cref="Job"/> (completed, from CheckExport) the object is staged from the job's result.
/// With <see cref="Slice"/> and <see cref="Job"/> (StageSlice) it stages one slice and no token is given; with
/// <see cref="Slices"/> (LoadSlices) it writes the sliced object's one manifest from its staged slices.
/// </summary>
public sealed record ExtractInput(RunReference Run, ObjectPlanMessage Object)
{
    /// <summary>The token the manifest carries to the load; every call but StageSlice's passes one.</summary>
    public string? TaskToken { get; init; }

    public ExportJobsMessage? Job { get; init; }

    public SliceMessage? Slice { get; init; }

    public IReadOnlyList<SliceOutcomeMessage>? Slices { get; init; }
}

/// <summary>SubmitExport's input: the run and one of its objects; with <see cref="Slice"/>, one slice of its historical read.</summary>
public sealed record SubmitExportInput(RunReference Run, ObjectPlanMessage Object)
{
    public SliceMessage? Slice { get; init; }
}

/// <summary>One slice of an object's historical read (<c>ExportSlice</c>): the ExportSlices Map's item.</summary>
public sealed record SliceMessage(
    int Index,
    int Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? WindowStart,
    DateTimeOffset WindowEnd);

/// <summary>How one slice ended, as the ExportSlices Map collects them: staged, or failed with the error its states caught.</summary>
public sealed record SliceOutcomeMessage(int Index, bool Failed)
{
    public StepError? Error { get; init; }
}

/// <summary>CheckExport's input: the run, one of its objects, and its jobs as the last SubmitExport or CheckExport answered.</summary>
public sealed record CheckExportInput(RunReference Run, ObjectPlanMessage Object, ExportJobsMessage Job);

/// <summary>
/// SubmitExport's and CheckExport's output. <see cref="Submitted"/> false: the source reads without jobs, and the object
/// is extracted in one call (no <see cref="Job"/>). Otherwise the jobs; <see cref="Completed"/> says whether to stage
/// them now or wait <see cref="WaitSeconds"/> and check again.
/// </summary>
public sealed record ExportOutput(bool Submitted, bool Completed, int WaitSeconds)
{
    /// <summary>
    /// SubmitExport of a historical read to be sliced submits nothing and lists the slices instead (no <see cref="Job"/>):
    /// the ExportSlices Map runs each. Empty otherwise; always written, as the ResultSelector reads it.
    /// </summary>
    public IReadOnlyList<SliceMessage> Slices { get; init; } = [];

    /// <summary>Written even when null: the state machine's ResultSelector reads <c>$.Payload.job</c>, and a path to nothing fails it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ExportJobsMessage? Job { get; init; }
}

/// <summary>An object's export jobs in the source system, as they travel between the states (docs/workflow.md).</summary>
public sealed record ExportJobsMessage(
    string ObjectName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? WindowStart,
    DateTimeOffset WindowEnd,
    IReadOnlyList<string> Columns,
    IReadOnlyList<ExportJobMessage> Jobs,
    DateTimeOffset SubmittedAt,
    DateTimeOffset Deadline,
    int Checks,
    int NextCheckSeconds);

/// <summary>One job in the source system: its kind (<c>aqua</c>, <c>deletes</c>), id, and once completed its results.</summary>
public sealed record ExportJobMessage(string Kind, string JobId, bool Completed, IReadOnlyList<string> Results)
{
    public long? Records { get; init; }
}

public sealed record ExtractOutput(string ManifestKey, long Rows, int Files, long Bytes);

/// <summary>What the load function did with each manifest of an S3 notification.</summary>
public sealed record LoadOutput(IReadOnlyList<ManifestLoadMessage> Manifests);

// Published as docs/workflow.md names them, before WireEnumConverter's SCREAMING_SNAKE_CASE: pinned.
[JsonConverter(typeof(WireEnumConverter<ManifestLoadResult>))]
public enum ManifestLoadResult
{
    [JsonStringEnumMemberName("Submitted")]
    Submitted,
    [JsonStringEnumMemberName("Loaded")]
    Loaded,
    [JsonStringEnumMemberName("AlreadyLoaded")]
    AlreadyLoaded,
    [JsonStringEnumMemberName("HeldByAnother")]
    HeldByAnother,
    [JsonStringEnumMemberName("Failed")]
    Failed,
    [JsonStringEnumMemberName("NoLongerStaged")]
    NoLongerStaged,
}

public sealed record ManifestLoadMessage(string ManifestKey, ManifestLoadResult Result)
{
    public string? StatementId { get; init; }

    public string? Error { get; init; }
}

// Published as docs/workflow.md names them, before WireEnumConverter's SCREAMING_SNAKE_CASE: pinned.
[JsonConverter(typeof(WireEnumConverter<LoadCompletedResult>))]
public enum LoadCompletedResult
{
    [JsonStringEnumMemberName("Loaded")]
    Loaded,
    [JsonStringEnumMemberName("Failed")]
    Failed,
    [JsonStringEnumMemberName("Ignored")]
    Ignored,
}

/// <summary>What the completion function did with a Data API event; an ignored event names no manifest.</summary>
public sealed record LoadCompletedOutput(string StatementId, LoadCompletedResult Result)
{
    public string? ManifestKey { get; init; }

    public string? ObjectName { get; init; }

    public string? Error { get; init; }
}

/// <summary>A committed load's report: the output of SendTaskSuccess, which the state machine hands to RecordObject.</summary>
public sealed record LoadReportMessage(string ManifestKey, string ObjectName, long Inserted, long Updated, long Deleted, long Unchanged, bool AlreadyLoaded, long LoadMilliseconds);

/// <summary>An error as a Step Functions Catch passes it on (<c>ResultPath</c>): <c>{"Error","Cause"}</c>, PascalCase; the cause may be absent.</summary>
public sealed record StepError([property: JsonPropertyName("Error")] string Error)
{
    [JsonPropertyName("Cause")]
    public string? Cause { get; init; }
}

/// <summary>RecordObject's input: the object's load report, or the error its ExtractAndLoad state caught.</summary>
public sealed record RecordObjectInput(RunReference Run, ObjectPlanMessage Object)
{
    public LoadReportMessage? Load { get; init; }

    public StepError? Error { get; init; }
}

// SUCCEEDED, FAILED on the wire (WireEnumConverter).
[JsonConverter(typeof(WireEnumConverter<ObjectOutcome>))]
public enum ObjectOutcome
{
    Succeeded,
    Failed,
}

public sealed record RecordObjectOutput(string ObjectName, ObjectOutcome Status)
{
    public string? Error { get; init; }
}

public sealed record CleanupInput(string ManifestKey);

public sealed record CleanupOutput(string ManifestKey, int Deleted);

/// <summary>
/// FinishRun's input; with <see cref="Error"/> (the workflow failed around the objects) the run's unfinished objects fail;
/// with <see cref="ChecksFailed"/> (the destination checks failed before extraction) they fail with it; with
/// <see cref="Stopped"/> (the template's <c>RunStoppedRule</c>: the execution was stopped or timed out, so the workflow
/// never reached FinishRun) a run still RUNNING fails as with an error, and a run already closed is left as it is.
/// </summary>
public sealed record FinishRunInput(string ConnectorId, string RunId)
{
    public StepError? Error { get; init; }

    /// <summary>The destination check that FAILed before the first historical sync: the run ends, the connector stays IN_PROGRESS.</summary>
    public string? ChecksFailed { get; init; }

    public ExecutionStopped? Stopped { get; init; }
}

/// <summary>How the run's execution ended without finishing it: <see cref="Status"/> ABORTED or TIMED_OUT, from Step Functions' status-change event.</summary>
public sealed record ExecutionStopped(string Status, string? ExecutionArn)
{
    /// <summary>The run's error: what ended the execution, and that the staged files and cursors stay as they are.</summary>
    public string Describe() => Status switch
    {
        "TIMED_OUT" => $"the execution {ExecutionArn} timed out (past the stack's MaxRunHours) before it finished the run; staged files and cursors are kept, and the next run starts again from them",
        _ => $"the execution {ExecutionArn} ended {Status} (stopped) before it finished the run; staged files and cursors are kept, and the next run starts again from them",
    };
}

// SUCCEEDED, FAILED on the wire (WireEnumConverter): the state machine's RunDone choice compares "SUCCEEDED".
[JsonConverter(typeof(WireEnumConverter<RunOutcome>))]
public enum RunOutcome
{
    Succeeded,
    Failed,
}

public sealed record FinishRunOutput(string ConnectorId, string RunId, RunOutcome Status)
{
    public string? Error { get; init; }
}
