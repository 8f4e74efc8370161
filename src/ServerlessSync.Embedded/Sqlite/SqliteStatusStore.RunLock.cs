using System.Data;
using Microsoft.Data.Sqlite;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Embedded.Sqlite;

/// <summary>The run lock: a row of <c>run_locks</c> per connector while a run holds (or held, until taken over) its lock.</summary>
public sealed partial class SqliteStatusStore : IRunLock
{
    /// <summary>
    /// In one immediate transaction: reads the lock's row, and writes the caller's lease when there is no row, its
    /// lease ended (<c>lease_until &lt;= now</c>, compared as instants) or its holder is <paramref name="runId"/>.
    /// </summary>
    public async Task<RunLockResult> TryAcquireAsync(string connectorId, string runId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var leaseUntil = now + lease;
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        string? previous = null;
        await using (var read = Command(connection, "SELECT holder, lease_until, lease_until_utc_ticks FROM run_locks WHERE connector_id = $connector_id"))
        {
            read.Transaction = transaction;
            Add(read, "$connector_id", connectorId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var holder = reader.GetString(0);
                if (holder != runId && reader.GetInt64(2) > now.UtcTicks)
                {
                    return new RunLockResult(false, holder, Time(reader, 1));
                }

                previous = holder == runId ? null : holder;
            }
        }

        await using var write = Command(connection, """
            INSERT INTO run_locks (connector_id, holder, lease_until, lease_until_utc_ticks, acquired_at)
            VALUES ($connector_id, $holder, $lease_until, $lease_until_utc_ticks, $now)
            ON CONFLICT (connector_id) DO UPDATE SET
                holder = excluded.holder,
                lease_until = excluded.lease_until,
                lease_until_utc_ticks = excluded.lease_until_utc_ticks,
                acquired_at = excluded.acquired_at
            """);
        write.Transaction = transaction;
        Add(write, "$connector_id", connectorId);
        Add(write, "$holder", runId);
        Add(write, "$lease_until", Text(leaseUntil));
        Add(write, "$lease_until_utc_ticks", leaseUntil.UtcTicks);
        Add(write, "$now", Text(now));
        await write.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RunLockResult(true, runId, leaseUntil, previous);
    }

    /// <summary>Deletes the lock's row if <paramref name="runId"/> holds it.</summary>
    public async Task ReleaseAsync(string connectorId, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectorId);
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM run_locks WHERE connector_id = $connector_id AND holder = $holder");
        Add(command, "$connector_id", connectorId);
        Add(command, "$holder", runId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
