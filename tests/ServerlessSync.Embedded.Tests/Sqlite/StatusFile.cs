using ServerlessSync.Embedded.Sqlite;

namespace ServerlessSync.Embedded.Tests.Sqlite;

/// <summary>
/// A status file of its own, in a directory that does not exist yet, for one test: the stores opened on it are
/// disposed and the directory deleted after the test. Hold one in a field and forward <see cref="IAsyncLifetime"/> to it.
/// </summary>
internal sealed class StatusFile : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sqlite-status-" + Guid.NewGuid().ToString("N"));
    private readonly List<SqliteStatusStore> _stores = [];

    public StatusFile() => DatabasePath = Path.Combine(_directory, "nested", "status.db");

    public string DatabasePath { get; }

    /// <summary>A new store on the file; each call is a new instance with its own connection pool state.</summary>
    public SqliteStatusStore Open()
    {
        var store = new SqliteStatusStore(DatabasePath);
        _stores.Add(store);
        return store;
    }

    /// <summary>Disposes a store before the test ends (to reopen the file).</summary>
    public async Task CloseAsync(SqliteStatusStore store)
    {
        await store.DisposeAsync();
        _stores.Remove(store);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
