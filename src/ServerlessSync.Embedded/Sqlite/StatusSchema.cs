namespace ServerlessSync.Embedded.Sqlite;

/// <summary>
/// The status file's tables, versioned with <c>PRAGMA user_version</c>. Every table is <c>STRICT</c>.
/// <list type="bullet">
/// <item>Timestamps are ISO-8601 text in the round-trip <c>"O"</c> form (<c>2025-03-01T10:15:30.1234567+01:00</c>):
/// the exact <see cref="DateTimeOffset"/>, ticks and offset. Text in different offsets neither compares nor
/// sorts by instant, so the two timestamps the store compares or orders by (the cursor and a run's start)
/// also have an <c>…_utc_ticks</c> column: the same instant as UTC ticks (100 ns).</item>
/// <item>Enums are their wire text (<c>WireText</c>: <c>IN_PROGRESS</c>, <c>Historical</c>), as in JSON; lists are JSON arrays.</item>
/// </list>
/// </summary>
internal static class StatusSchema
{
    /// <summary>The <c>user_version</c> this build writes and reads.</summary>
    public const int Version = 6;

    /// <summary>Creates version 1 in an empty file.</summary>
    public const string CreateVersion1 = """
        CREATE TABLE connectors (
            connector_id      TEXT NOT NULL PRIMARY KEY,
            source            TEXT NOT NULL,
            status            TEXT NOT NULL,
            selected_objects  TEXT NOT NULL,
            created_at        TEXT NOT NULL,
            updated_at        TEXT NOT NULL,
            last_good_data_at TEXT,
            last_error        TEXT,
            last_run_id       TEXT
        ) STRICT;

        CREATE TABLE objects (
            connector_id     TEXT    NOT NULL,
            object_name      TEXT    NOT NULL,
            cursor           TEXT,
            cursor_utc_ticks INTEGER,
            last_loaded_at   TEXT,
            total_inserted   INTEGER NOT NULL,
            total_updated    INTEGER NOT NULL,
            total_deleted    INTEGER NOT NULL,
            PRIMARY KEY (connector_id, object_name)
        ) STRICT;

        CREATE TABLE runs (
            connector_id         TEXT    NOT NULL,
            run_id               TEXT    NOT NULL,
            mode                 TEXT    NOT NULL,
            status               TEXT    NOT NULL,
            started_at           TEXT    NOT NULL,
            started_at_utc_ticks INTEGER NOT NULL,
            ended_at             TEXT,
            error                TEXT,
            PRIMARY KEY (connector_id, run_id)
        ) STRICT;

        CREATE INDEX runs_newest_first ON runs (connector_id, started_at_utc_ticks DESC, run_id DESC);

        CREATE TABLE object_runs (
            connector_id    TEXT    NOT NULL,
            run_id          TEXT    NOT NULL,
            object_name     TEXT    NOT NULL,
            mode            TEXT    NOT NULL,
            window_start    TEXT,
            window_end      TEXT    NOT NULL,
            status          TEXT    NOT NULL,
            rows_extracted  INTEGER NOT NULL,
            rows_inserted   INTEGER NOT NULL,
            rows_updated    INTEGER NOT NULL,
            rows_deleted    INTEGER NOT NULL,
            files           INTEGER NOT NULL,
            bytes           INTEGER NOT NULL,
            extract_ms      INTEGER NOT NULL,
            load_ms         INTEGER NOT NULL,
            manifest_key    TEXT,
            error           TEXT,
            PRIMARY KEY (connector_id, run_id, object_name)
        ) STRICT;
        """;

    /// <summary>Version 2 adds the per-manifest load claims (<see cref="ServerlessSync.Core.Ports.ILoadClaims"/>).</summary>
    public const string UpgradeToVersion2 = """
        CREATE TABLE load_claims (
            connector_id           TEXT    NOT NULL,
            load_id                TEXT    NOT NULL,
            state                  TEXT    NOT NULL CHECK (state IN ('LOADING', 'LOADED', 'FAILED')),
            holder                 TEXT    NOT NULL,
            lease_until            TEXT,
            lease_until_utc_ticks  INTEGER,
            attempts               INTEGER NOT NULL,
            outcome                TEXT,
            error                  TEXT,
            updated_at             TEXT    NOT NULL,
            PRIMARY KEY (connector_id, load_id)
        ) STRICT;
        """;

    /// <summary>Version 3 adds the per-connector run lock (<see cref="ServerlessSync.Core.Ports.IRunLock"/>): a row while a run holds it.</summary>
    public const string UpgradeToVersion3 = """
        CREATE TABLE run_locks (
            connector_id           TEXT    NOT NULL PRIMARY KEY,
            holder                 TEXT    NOT NULL,
            lease_until            TEXT    NOT NULL,
            lease_until_utc_ticks  INTEGER NOT NULL,
            acquired_at            TEXT    NOT NULL
        ) STRICT;
        """;

    /// <summary>
    /// Version 4 records full syncs: per object the window end of the last committed historical read (NULL in rows
    /// written before: the next due check treats it as never), per object run whether it was a periodic full re-sync.
    /// </summary>
    public const string UpgradeToVersion4 = """
        ALTER TABLE objects ADD COLUMN last_full_sync_at TEXT;
        ALTER TABLE object_runs ADD COLUMN full_resync INTEGER NOT NULL DEFAULT 0;
        """;

    /// <summary>Version 5 records a running run's live progress (JSON, <c>RunProgress</c>), cleared when the run is put again.</summary>
    public const string UpgradeToVersion5 = """
        ALTER TABLE runs ADD COLUMN progress TEXT;
        """;

    /// <summary>
    /// Version 6 records, per object run, the source's jobs it waits for (when submitted, their ids) and for a sliced
    /// historical read how many slices are staged of how many.
    /// </summary>
    public const string UpgradeToVersion6 = """
        ALTER TABLE object_runs ADD COLUMN jobs_submitted_at TEXT;
        ALTER TABLE object_runs ADD COLUMN jobs TEXT;
        ALTER TABLE object_runs ADD COLUMN slices_done INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE object_runs ADD COLUMN slices_total INTEGER NOT NULL DEFAULT 0;
        """;

    /// <summary>The script that brings a file at <paramref name="version"/> (0: empty) to <see cref="Version"/>, each step in order.</summary>
    public static string UpgradeFrom(long version)
    {
        string[] steps = [CreateVersion1, UpgradeToVersion2, UpgradeToVersion3, UpgradeToVersion4, UpgradeToVersion5, UpgradeToVersion6];
        return string.Concat(steps.Skip((int)version));
    }
}
