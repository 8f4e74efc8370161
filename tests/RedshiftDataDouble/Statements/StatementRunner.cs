using Npgsql;
using NpgsqlTypes;
using RedshiftDataDouble.Copy;
using RedshiftDataDouble.Sql;

namespace RedshiftDataDouble.Statements;

/// <summary>
/// Runs a submission on PostgreSQL in a session of its own (a new backend, so temp tables live exactly as long
/// as the submission): one statement autocommitted, or a batch in one transaction (TRANSACTION, the default:
/// a failure rolls everything back, marks the failing statement FAILED and the rest ABORTED) or statement by
/// statement (AUTO_COMMIT: a failure does not stop the others). Status changes are published under the
/// submission's gate as they happen, so DescribeStatement sees SUBMITTED, STARTED and the outcome.
/// </summary>
internal sealed class StatementRunner(string sessionConnectionString, S3CopyLoader copyLoader, RedshiftDataDoubleOptions options, TimeProvider time)
{
    private long _lastQueryId = 1000;

    public async Task RunAsync(Submission submission)
    {
        var cancellation = submission.Cancellation.Token;
        var started = time.GetTimestamp();
        try
        {
            await using var session = new NpgsqlConnection(sessionConnectionString);
            await session.OpenAsync(cancellation);
            if (options.RunAsDatabaseUser)
            {
                await using var become = new NpgsqlCommand($"SET SESSION AUTHORIZATION {DoubleDatabase.QuoteIdentifier(submission.Target.DatabaseUser)}", session);
                await become.ExecuteNonQueryAsync(cancellation);
            }

            lock (submission.Gate)
            {
                submission.Status = StatementStatus.Started;
                submission.RedshiftPid = session.ProcessID;
                submission.UpdatedAt = time.GetUtcNow();
            }

            await using var transaction = submission.IsBatch && !submission.AutoCommit
                ? await session.BeginTransactionAsync(options.TransactionIsolation, cancellation)
                : null;
            string? firstError = null;
            foreach (var part in submission.Parts)
            {
                if (firstError is not null && transaction is not null)
                {
                    Finish(submission, part, StatementStatus.Aborted, error: null, started: null);
                    continue;
                }

                var error = await RunPartAsync(session, transaction is not null, submission, part, cancellation);
                firstError ??= error;
            }

            if (transaction is not null && firstError is null)
            {
                try
                {
                    await transaction.CommitAsync(cancellation);
                }
                catch (PostgresException e)
                {
                    firstError = ErrorText(e);
                }
            }

            lock (submission.Gate)
            {
                submission.Status = firstError is null ? StatementStatus.Finished : StatementStatus.Failed;
                submission.Error = firstError;
                submission.DurationNanoseconds = Nanoseconds(started);
                submission.UpdatedAt = time.GetUtcNow();
            }
        }
        catch (Exception) when (cancellation.IsCancellationRequested)
        {
            Abort(submission, started);
        }
        catch (Exception e)
        {
            lock (submission.Gate)
            {
                submission.Status = StatementStatus.Failed;
                submission.Error = $"ERROR: {e.Message}";
                submission.UpdatedAt = time.GetUtcNow();
            }
        }
        finally
        {
            submission.Completion.TrySetResult();
        }
    }

    // Returns the part's error, or null when it finished.
    private async Task<string?> RunPartAsync(NpgsqlConnection session, bool inTransaction, Submission submission, StatementPart part, CancellationToken cancellation)
    {
        var started = time.GetTimestamp();
        lock (submission.Gate)
        {
            part.Status = StatementStatus.Started;
            part.RedshiftQueryId = Interlocked.Increment(ref _lastQueryId);
            part.UpdatedAt = time.GetUtcNow();
        }

        try
        {
            var sql = options.FoldQuotedIdentifiers ? IdentifierFolding.Fold(part.Sql) : part.Sql;
            if (options.RefusePostgresOnlySyntax)
            {
                RedshiftSyntax.Check(sql);
            }

            if (options.RunAsDatabaseUser)
            {
                RedshiftSyntax.CheckSessionUser(sql);
            }

            var copy = CopyStatement.Parse(sql);
            long rows;
            ResultSet? result = null;
            if (copy is not null)
            {
                rows = await copyLoader.LoadAsync(session, inTransaction, copy, new CopyContext(part.RedshiftQueryId, submission.Target.Database), cancellation);
            }
            else
            {
                (rows, result) = await RunSqlAsync(session, sql, submission.Parameters, cancellation);
            }

            lock (submission.Gate)
            {
                part.ResultRows = rows;
                part.Result = result;
                part.HasResultSet = result is not null;
                part.ResultSize = result?.SizeBytes ?? 0;
            }

            Finish(submission, part, StatementStatus.Finished, error: null, started);
            return null;
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested && ErrorText(e) is { } error)
        {
            Finish(submission, part, StatementStatus.Failed, error, started);
            return error;
        }
    }

    private static string? ErrorText(Exception e) => e switch
    {
        StatementFailedException failed => failed.Message,
        PostgresException postgres => ErrorText(postgres),
        NpgsqlException npgsql => $"ERROR: {npgsql.Message}",
        _ => null,
    };

    // PostgreSQL's serialization failure reads as Redshift's error 1023. PostgreSQL does not name the table or the
    // cycle's transactions as Redshift does, so its own message and reason follow instead.
    private static string ErrorText(PostgresException e) => e.SqlState == PostgresErrorCodes.SerializationFailure
        ? $"ERROR: 1023 DETAIL: Serializable isolation violation on table (not named by the double; PostgreSQL: {e.MessageText}{(e.Detail is { } detail ? $"; {detail}" : "")})"
        : $"ERROR: {e.MessageText}";

    private async Task<(long Rows, ResultSet? Result)> RunSqlAsync(
        NpgsqlConnection session,
        string sql,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        CancellationToken cancellation)
    {
        var (boundSql, values) = ParameterBinder.Bind(sql, parameters);
        await using var command = new NpgsqlCommand(boundSql, session) { AllResultTypesAreUnknown = true, CommandTimeout = 0 };
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Unknown });
        }

        ResultReader? result = null;
        long affected;
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            do
            {
                if (reader.FieldCount > 0)
                {
                    result = await ResultReader.ReadAsync(reader, options.MaxResultRowBytes, options.MaxResultBytes, cancellation);
                }
            }
            while (await reader.NextResultAsync(cancellation));

            affected = reader.RecordsAffected;
        }

        if (result is null)
        {
            return (affected, null);
        }

        var resultSet = await result.DescribeColumnsAsync(session, cancellation);
        return (resultSet.RowCount, resultSet);
    }

    private void Finish(Submission submission, StatementPart part, StatementStatus status, string? error, long? started)
    {
        lock (submission.Gate)
        {
            part.Status = status;
            part.Error = error;
            part.DurationNanoseconds = started is { } s ? Nanoseconds(s) : -1;
            part.UpdatedAt = time.GetUtcNow();
        }
    }

    private void Abort(Submission submission, long started)
    {
        lock (submission.Gate)
        {
            var now = time.GetUtcNow();
            foreach (var part in submission.Parts.Where(p => p.Status is StatementStatus.Submitted or StatementStatus.Started))
            {
                part.Status = StatementStatus.Aborted;
                part.UpdatedAt = now;
            }

            submission.Status = StatementStatus.Aborted;
            submission.DurationNanoseconds = Nanoseconds(started);
            submission.UpdatedAt = now;
        }
    }

    private long Nanoseconds(long startedTimestamp) => time.GetElapsedTime(startedTimestamp).Ticks * 100;
}
