using ServerlessSync.Core.Model;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Pipeline;

/// <summary>One object's work in a run: its window, and the cursor it expects to move from.</summary>
public sealed record ObjectPlan(string ObjectName, SyncWindow Window, DateTimeOffset? ExpectedCursor)
{
    /// <summary>A periodic full re-sync: a historical window although the object already has a cursor (see <see cref="SyncOptions.FullResyncEvery"/>).</summary>
    public bool FullResync => Window.Mode == SyncMode.Historical && ExpectedCursor is not null;
}

/// <summary>What the start step decided: the run's id and each selected object's plan.</summary>
public sealed record RunPlan(string ConnectorId, string RunId, DateTimeOffset StartedAt, IReadOnlyList<ObjectPlan> Objects)
{
    /// <summary>The object's place in the run, 1 to n (the "k" of "object k of n"); 0 for an object not in the run.</summary>
    public int PositionOf(string objectName)
    {
        for (var i = 0; i < Objects.Count; i++)
        {
            if (Objects[i].ObjectName == objectName)
            {
                return i + 1;
            }
        }

        return 0;
    }
}

/// <summary>What extraction staged for one object: the manifest it wrote, and how long staging took.</summary>
public sealed record ExtractResult(string ManifestKey, StagedManifest Manifest, long ExtractMilliseconds)
{
    public long Rows => Manifest.Rows;

    public int Files => Manifest.Parts.Count;

    public long Bytes => Manifest.Bytes;
}

/// <summary>Settings of a connector's runs.</summary>
public sealed record SyncOptions
{
    public const string DefaultConnectorId = "default";

    /// <summary>As long as a Step Functions execution name may be.</summary>
    public const int MaxRunIdLength = 80;

    public string ConnectorId { get; init; } = DefaultConnectorId;

    /// <summary>The new run's id; null makes one from the start time (<see cref="StartRunStep.NewRunId"/>). A workflow
    /// passes its execution's name, so that a retried start is the same run.</summary>
    public string? RunId { get; init; }

    /// <summary>
    /// A run known to be dead (its workflow ended without finishing it: the status API asked Step Functions) whose
    /// connector lock this run may take over before the lease ends; null waits for the lease, as usual.
    /// </summary>
    public string? TakeOverFrom { get; init; }

    /// <summary>How far before the cursor an incremental window starts (the source's updateddate is not perfectly monotonic).</summary>
    public TimeSpan Lookback { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The objects to sync; null keeps the connector's selection, or takes every object of the source on first sync.</summary>
    public IReadOnlyList<string>? Objects { get; init; }

    /// <summary>
    /// Per object, how often it is read whole again (a historical window), whatever its cursor: for sources that miss
    /// some changes or deletes in their incremental reads. The key <see cref="FullResyncSchedule.EveryObject"/> applies
    /// to every selected object without its own entry. Null or empty: never. Names are checked against the source's
    /// objects when the run is planned.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan>? FullResyncEvery { get; init; }

    /// <summary>Whether <paramref name="id"/> holds only the characters connector and run ids may have (they name S3 keys and executions): ASCII letters, digits, '-' and '_'.</summary>
    public static bool IsIdText(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectorId) || !IsIdText(ConnectorId))
        {
            throw new ArgumentException($"connector id '{ConnectorId}' must be ASCII letters, digits, '-' or '_'");
        }

        if (RunId is not null && (RunId.Length is 0 or > MaxRunIdLength || !IsIdText(RunId)))
        {
            throw new ArgumentException($"run id '{RunId}' must be 1 to {MaxRunIdLength} ASCII letters, digits, '-' or '_'");
        }

        if (Lookback < TimeSpan.Zero)
        {
            throw new ArgumentException($"lookback {Lookback} cannot be negative");
        }

        foreach (var (objectName, every) in FullResyncEvery ?? new Dictionary<string, TimeSpan>())
        {
            if (string.IsNullOrWhiteSpace(objectName))
            {
                throw new ArgumentException("full re-sync: an object name is empty");
            }

            if (every <= TimeSpan.Zero)
            {
                throw new ArgumentException($"full re-sync of {objectName}: the interval {every} must be positive");
            }
        }
    }
}
