using System.Text;

namespace ServerlessSync.Aws.RedshiftData;

/// <summary>
/// The Data API's limits, checked before anything is sent so a request that cannot succeed fails with a
/// message that says which member is wrong. From the API model: <c>Sqls</c> 1..40, <c>ClientToken</c>
/// 1..64, <c>StatementName</c> up to 2048, <c>WaitTimeSeconds</c> 1..30, <c>Parameters</c> at least one,
/// each named <c>[0-9a-zA-Z_]+</c> with a value of at least one character. From the Redshift management
/// guide ("the maximum query statement size is 100 KB"): each SQL text at most 100,000 bytes of UTF-8.
/// </summary>
public static class RedshiftDataLimits
{
    public const int MaxStatementBytes = 100_000;
    public const int MaxBatchStatements = 40;
    public const int MaxClientTokenLength = 64;
    public const int MaxStatementNameLength = 2048;
    public const int MinWaitTimeSeconds = 1;
    public const int MaxWaitTimeSeconds = 30;

    /// <summary>The largest row one result may hold (the Data API: 64 KB).</summary>
    public const int MaxResultRowBytes = 64 * 1024;

    /// <summary>The largest result of one statement (the Data API: 100 MB).</summary>
    public const long MaxResultBytes = 100L * 1024 * 1024;

    /// <summary>How many rows always fit one result, however wide each is: 1,600.</summary>
    public const int RowsAlwaysWithinOneResult = (int)(MaxResultBytes / MaxResultRowBytes);

    internal static void Check(ExecuteStatementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckSubmission(request);
        CheckSql(request.Sql, "Sql");
    }

    internal static void Check(BatchExecuteStatementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckSubmission(request);
        if (request.Sqls is null || request.Sqls.Count is < 1 or > MaxBatchStatements)
        {
            throw Invalid($"Sqls holds {request.Sqls?.Count ?? 0} statements; BatchExecuteStatement takes 1 to {MaxBatchStatements}");
        }

        for (var i = 0; i < request.Sqls.Count; i++)
        {
            CheckSql(request.Sqls[i], $"Sqls[{i}]");
        }
    }

    internal static void CheckId(string id, int? waitTimeSeconds)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw Invalid("Id is empty: a statement id is required");
        }

        CheckWaitTime(waitTimeSeconds);
    }

    private static void CheckSubmission(StatementSubmission request)
    {
        if (request.Target is null)
        {
            throw Invalid("Target is missing: say which cluster or workgroup runs the statement");
        }

        if (request.ClientToken is { Length: < 1 or > MaxClientTokenLength } token)
        {
            throw Invalid($"ClientToken is {token.Length} characters; the Data API takes 1 to {MaxClientTokenLength}");
        }

        if (request.StatementName is { Length: > MaxStatementNameLength } name)
        {
            throw Invalid($"StatementName is {name.Length} characters; the Data API takes at most {MaxStatementNameLength}");
        }

        CheckWaitTime(request.WaitTimeSeconds);
        if (request.Parameters is { } parameters)
        {
            if (parameters.Count == 0)
            {
                throw Invalid("Parameters is empty: pass null for no parameters, or at least one");
            }

            for (var i = 0; i < parameters.Count; i++)
            {
                var parameter = parameters[i] ?? throw Invalid($"Parameters[{i}] is null");
                if (string.IsNullOrEmpty(parameter.Name) || !parameter.Name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    throw Invalid($"Parameters[{i}] is named '{parameter.Name}'; a name is letters, digits and '_'");
                }

                if (string.IsNullOrEmpty(parameter.Value))
                {
                    throw Invalid($"Parameters[{i}] ('{parameter.Name}') has an empty value; the Data API needs at least one character (it has no NULL parameter: write NULL in the SQL)");
                }
            }
        }
    }

    private static void CheckSql(string? sql, string member)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw Invalid($"{member} is empty");
        }

        var bytes = Encoding.UTF8.GetByteCount(sql);
        if (bytes > MaxStatementBytes)
        {
            throw Invalid($"{member} is {bytes} bytes of UTF-8; the Data API takes statements of at most 100 KB ({MaxStatementBytes} bytes). Split it or stage the data in S3 and COPY it");
        }
    }

    private static void CheckWaitTime(int? waitTimeSeconds)
    {
        if (waitTimeSeconds is { } seconds and (< MinWaitTimeSeconds or > MaxWaitTimeSeconds))
        {
            throw Invalid($"WaitTimeSeconds is {seconds}; the Data API takes {MinWaitTimeSeconds} to {MaxWaitTimeSeconds}, or null");
        }
    }

    private static ArgumentException Invalid(string message) => new(message, "request");
}
