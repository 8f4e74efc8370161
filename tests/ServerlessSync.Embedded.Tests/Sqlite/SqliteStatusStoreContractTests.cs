using Microsoft.Data.Sqlite;
using ServerlessSync.Embedded.Sqlite;
using ServerlessSync.Testing;

namespace ServerlessSync.Embedded.Tests.Sqlite;

/// <summary>The status store contract on an SQLite file of its own per test; every store instance opens the same file.</summary>
public sealed class SqliteStatusStoreContractTests : StatusStoreContract<SqliteStatusStore>
{
    private static readonly string[] Tables = ["connectors", "objects", "runs", "object_runs", "load_claims", "run_locks"];

    private readonly StatusFile _file = new();

    public override Task InitializeAsync() => _file.InitializeAsync();

    public override Task DisposeAsync() => _file.DisposeAsync();

    protected override SqliteStatusStore NewStore() => _file.Open();

    protected override async Task<IReadOnlyList<string>> StoredRecordsAsync(string connectorId)
    {
        var rows = new List<string>();
        if (!File.Exists(_file.DatabasePath))
        {
            return rows;
        }

        await using var connection = await OpenAsync();
        foreach (var table in Tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table} WHERE connector_id = $c";
            command.Parameters.AddWithValue("$c", connectorId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(table + ": " + string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={(reader.IsDBNull(i) ? "NULL" : reader.GetValue(i))}")));
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    protected override async Task<StoredClaim?> StoredClaimAsync(string connectorId, string loadId)
    {
        if (!File.Exists(_file.DatabasePath))
        {
            return null;
        }

        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, attempts, error FROM load_claims WHERE connector_id = $c AND load_id = $l";
        command.Parameters.AddWithValue("$c", connectorId);
        command.Parameters.AddWithValue("$l", loadId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new StoredClaim(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection($"Data Source={_file.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return connection;
    }
}
