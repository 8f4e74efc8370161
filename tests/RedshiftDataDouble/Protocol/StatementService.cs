using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RedshiftDataDouble.Statements;

namespace RedshiftDataDouble.Protocol;

/// <summary>What an operation answers: its output written as JSON, and the statement id a submission got.</summary>
internal sealed record OperationAnswer(Action<Utf8JsonWriter> Write, string? StatementId = null);

/// <summary>
/// The five statement operations: submissions return at once (SUBMITTED) while the runner works in the
/// background; WaitTimeSeconds holds a call until the statement completes or that many seconds pass; a repeated
/// ClientToken answers with the first submission and runs nothing. A submission made WithEvent raises
/// <see cref="Ended"/> once it has ended.
/// </summary>
internal sealed class StatementService(RedshiftDataDoubleOptions options, StatementRunner runner)
{
    private readonly IReadOnlyList<RedshiftDataTarget> _targets = options.Targets;
    private readonly int _resultPageSize = options.ResultPageSize;
    private readonly TimeProvider _time = options.TimeProvider;
    private readonly ConcurrentDictionary<string, Submission> _submissions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Operation, string Token), Submission> _byClientToken = new();
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<Exception> _endedErrors = new();

    /// <summary>A submission made WithEvent has ended.</summary>
    public event Action<StatementEnded>? Ended;

    /// <summary>What <see cref="Ended"/>'s subscribers threw, in order.</summary>
    public IReadOnlyCollection<Exception> EndedErrors => _endedErrors;

    /// <summary>Answers <paramref name="request"/>, signed with <paramref name="accessKeyId"/>.</summary>
    public async Task<OperationAnswer> HandleAsync(DataApiRequest request, string accessKeyId, CancellationToken cancellationToken) => request.Operation switch
    {
        "ExecuteStatement" or "BatchExecuteStatement" => await SubmitAsync(request, accessKeyId, cancellationToken),
        "DescribeStatement" => await DescribeAsync(request, accessKeyId, cancellationToken),
        "GetStatementResult" => await GetResultAsync(request, accessKeyId, cancellationToken),
        "CancelStatement" => await CancelAsync(request, accessKeyId, cancellationToken),
        _ => throw new DataApiException("UnknownOperationException", $"Operation {request.Operation} is not served by the double"),
    };

    /// <summary>Aborts what still runs and waits for it, so the database can be dropped.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        foreach (var submission in _submissions.Values)
        {
            await submission.Cancellation.CancelAsync();
        }

        Task[] running;
        lock (_running)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running);
    }

    private async Task<OperationAnswer> SubmitAsync(DataApiRequest request, string accessKeyId, CancellationToken cancellationToken)
    {
        var target = ResolveTarget(request);
        if (request.SessionId is not null || request.SessionKeepAliveSeconds is not null)
        {
            throw DataApiException.Validation("SessionId and SessionKeepAliveSeconds (reusable sessions) are not supported by the double");
        }

        if (request.ResultFormat == "CSV")
        {
            throw DataApiException.Validation("ResultFormat CSV (GetStatementResultV2) is not supported by the double");
        }

        var id = Guid.NewGuid().ToString("D");
        var now = _time.GetUtcNow();
        var isBatch = request.Operation == "BatchExecuteStatement";
        var submission = new Submission
        {
            Id = id,
            IsBatch = isBatch,
            Target = target,
            SubmitterAccessKeyId = accessKeyId,
            Parts = [.. request.Sqls.Select((sql, i) => new StatementPart(isBatch ? $"{id}:{i + 1}" : id, sql, now))],
            Parameters = request.Parameters,
            AutoCommit = request.ExecutionMode == "AUTO_COMMIT",
            CreatedAt = now,
            UpdatedAt = now,
            StatementName = request.StatementName,
            WithEvent = request.WithEvent == true,
        };

        // Findable before its token is taken, so a repeat that wins the token race is never answered with an unknown Id.
        _submissions[id] = submission;
        if (request.ClientToken is { } token)
        {
            var first = _byClientToken.GetOrAdd((request.Operation, token), submission);
            if (!ReferenceEquals(first, submission))
            {
                _submissions.TryRemove(id, out _);
                return await AnswerSubmittedAsync(first, request.WaitTimeSeconds, cancellationToken);
            }
        }

        lock (_running)
        {
            _running.Add(Task.Run(async () =>
            {
                await runner.RunAsync(submission);
                AnnounceEnd(submission);
            }));
        }

        return await AnswerSubmittedAsync(submission, request.WaitTimeSeconds, cancellationToken);
    }

    private async Task<OperationAnswer> AnswerSubmittedAsync(Submission submission, int? waitTimeSeconds, CancellationToken cancellationToken)
    {
        await WaitAsync(submission, waitTimeSeconds, cancellationToken);
        return new OperationAnswer(
            json =>
            {
                lock (submission.Gate)
                {
                    ResponseJson.WriteSubmitted(json, submission, withStatus: waitTimeSeconds is not null);
                }
            },
            submission.Id);
    }

    // Where the Data API would send its EventBridge event: after the final status is visible to DescribeStatement.
    private void AnnounceEnd(Submission submission)
    {
        var subscribers = Ended;
        if (!submission.WithEvent || subscribers is null)
        {
            return;
        }

        StatementEnded ended;
        lock (submission.Gate)
        {
            ended = new StatementEnded(
                submission.Id,
                submission.StatementName,
                ResponseJson.StatusText(submission.Status),
                submission.IsBatch ? submission.TotalResultRows : submission.Parts[0].ResultRows,
                submission.IsBatch ? 0 : submission.Parts[0].RedshiftQueryId,
                submission.Target.ClusterIdentifier,
                submission.Target.WorkgroupName,
                submission.UpdatedAt);
        }

        foreach (var subscriber in subscribers.GetInvocationList().Cast<Action<StatementEnded>>())
        {
            try
            {
                subscriber(ended);
            }
            catch (Exception e)
            {
                _endedErrors.Enqueue(e);
            }
        }
    }

    private StatementTarget ResolveTarget(DataApiRequest request)
    {
        if (request.ClusterIdentifier is not null && request.WorkgroupName is not null)
        {
            throw DataApiException.Validation("Specify either ClusterIdentifier or WorkgroupName, not both");
        }

        if (request.ClusterIdentifier is null && request.WorkgroupName is null)
        {
            throw DataApiException.Validation("Either ClusterIdentifier or WorkgroupName must be specified");
        }

        if (string.IsNullOrEmpty(request.Database))
        {
            throw DataApiException.Validation("Database must be specified");
        }

        if (request.ClusterIdentifier is not null && request.DbUser is null && request.SecretArn is null)
        {
            throw DataApiException.Validation(
                "A cluster needs DbUser (temporary credentials) or SecretArn (Secrets Manager); the double does not serve the IAM-identity form");
        }

        var place = request.ClusterIdentifier is { } cluster
            ? _targets.Where(t => t.ClusterIdentifier == cluster).ToList()
            : _targets.Where(t => t.WorkgroupName == request.WorkgroupName).ToList();
        if (place.Count == 0)
        {
            var (kind, name) = request.ClusterIdentifier is { } c ? ("Cluster", c) : ("Workgroup", request.WorkgroupName!);
            throw DataApiException.NotFound($"{kind} {name} not found.", name);
        }

        var inDatabase = place.Where(t => t.Database == request.Database).ToList();
        if (inDatabase.Count == 0)
        {
            throw DataApiException.NotFound($"Database {request.Database} not found.", request.Database!);
        }

        var runAs = inDatabase[0];
        if (request.ClusterIdentifier is not null)
        {
            var credential = request.SecretArn is { } secret
                ? inDatabase.FirstOrDefault(t => t.SecretArn == secret)
                : inDatabase.FirstOrDefault(t => t.DbUser == request.DbUser);
            if (credential is null)
            {
                var who = request.SecretArn ?? request.DbUser!;
                throw DataApiException.NotFound($"{(request.SecretArn is null ? "Database user" : "Secret")} {who} not found.", who);
            }

            runAs = credential;
        }

        return new StatementTarget(request.ClusterIdentifier, request.WorkgroupName, request.Database!, request.DbUser, request.SecretArn, runAs.DatabaseUser);
    }

    private async Task<OperationAnswer> DescribeAsync(DataApiRequest request, string accessKeyId, CancellationToken cancellationToken)
    {
        var (submission, subStatement) = Find(request.Id!, accessKeyId);
        await WaitAsync(submission, request.WaitTimeSeconds, cancellationToken);
        return new OperationAnswer(json =>
        {
            lock (submission.Gate)
            {
                ResponseJson.WriteDescription(json, submission, subStatement);
            }
        });
    }

    private async Task<OperationAnswer> GetResultAsync(DataApiRequest request, string accessKeyId, CancellationToken cancellationToken)
    {
        var (submission, subStatement) = Find(request.Id!, accessKeyId);
        if (submission.IsBatch && subStatement is null)
        {
            throw DataApiException.Validation("BatchExecuteStatement result can only be retrieved with sub-statement id.");
        }

        var part = subStatement ?? submission.Parts[0];
        await WaitAsync(submission, request.WaitTimeSeconds, cancellationToken);
        ResultSet result;
        lock (submission.Gate)
        {
            result = part.Status switch
            {
                StatementStatus.Finished when part.Result is { } r => r,
                StatementStatus.Finished => throw DataApiException.Validation("Query does not have result. Please check query status with DescribeStatement."),
                StatementStatus.Failed or StatementStatus.Aborted =>
                    throw DataApiException.Validation($"Query {ResponseJson.StatusText(part.Status)}: {part.Error ?? submission.Error ?? "aborted"}"),
                _ => throw DataApiException.Validation($"Query has not finished yet (status {ResponseJson.StatusText(part.Status)}). Please check query status with DescribeStatement."),
            };
        }

        if (result.LimitExceeded is { } limit)
        {
            throw DataApiException.Validation(limit);
        }

        var offset = request.NextToken is { } token ? ReadNextToken(token, part.Id, result.Rows.Count) : 0;
        var next = offset + _resultPageSize < result.Rows.Count ? WriteNextToken(part.Id, offset + _resultPageSize) : null;
        return new OperationAnswer(json => ResponseJson.WriteResultPage(json, result, offset, _resultPageSize, next));
    }

    private async Task<OperationAnswer> CancelAsync(DataApiRequest request, string accessKeyId, CancellationToken cancellationToken)
    {
        var (submission, subStatement) = Find(request.Id!, accessKeyId);
        if (subStatement is not null)
        {
            throw DataApiException.Validation("Cancel a batch by its own Id, not by a sub-statement Id");
        }

        lock (submission.Gate)
        {
            if (submission.IsDone)
            {
                throw DataApiException.Validation($"Could not cancel a query that is already in {ResponseJson.StatusText(submission.Status)} status");
            }
        }

        await submission.Cancellation.CancelAsync();
        // Answer once the statement has stopped, so a describe that follows sees ABORTED.
        await submission.Completion.Task.WaitAsync(cancellationToken);
        return new OperationAnswer(json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("Status", true);
            json.WriteEndObject();
        });
    }

    // The Data API keeps a statement for the IAM identity that ran it (ListStatements lists the caller's role's
    // statements; IAM policies can require redshift-data:statement-owner-iam-userid): another identity's call is
    // answered as for a statement that does not exist.
    private (Submission Submission, StatementPart? SubStatement) Find(string id, string accessKeyId)
    {
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        var parentId = colon < 0 ? id : id[..colon];
        if (!_submissions.TryGetValue(parentId, out var submission)
            || (options.StatementsVisibleToSubmitterOnly && !string.Equals(submission.SubmitterAccessKeyId, accessKeyId, StringComparison.Ordinal)))
        {
            throw DataApiException.NotFound($"Query {id} does not exist.", id);
        }

        if (colon < 0)
        {
            return (submission, null);
        }

        var part = submission.IsBatch ? submission.Parts.FirstOrDefault(p => p.Id == id) : null;
        return part is not null ? (submission, part) : throw DataApiException.NotFound($"Query {id} does not exist.", id);
    }

    private async Task WaitAsync(Submission submission, int? waitTimeSeconds, CancellationToken cancellationToken)
    {
        if (waitTimeSeconds is not { } seconds || submission.Completion.Task.IsCompleted)
        {
            return;
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var timeout = Task.Delay(TimeSpan.FromSeconds(seconds), _time, waiting.Token);
        await Task.WhenAny(submission.Completion.Task, timeout);
        await waiting.CancelAsync();
    }

    private static string WriteNextToken(string statementId, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{statementId}|{offset.ToString(CultureInfo.InvariantCulture)}"));

    private static int ReadNextToken(string token, string statementId, int rowCount)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|');
            if (parts.Length == 2 && parts[0] == statementId
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset > 0 && offset < rowCount)
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Falls through to the validation error below.
        }

        throw DataApiException.Validation($"Invalid NextToken '{token}' for statement {statementId}");
    }
}
