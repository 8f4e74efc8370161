using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;

namespace ServerlessSync.Cli;

/// <summary>
/// What the files of a home can fail with — a corrupted status or warehouse file, a read-only home, a full disk, a file
/// another process holds — said in one line with what to do, instead of a library's exception.
/// </summary>
internal static class HomeErrors
{
    private const int NoSpaceLeftErrno = 28;

    /// <summary>An explanation of <paramref name="e"/> and its exit code, or null when it is not a home's file failing.</summary>
    /// <param name="e">what was thrown</param>
    /// <param name="homePath">the home the command ran with</param>
    public static (string Message, int ExitCode)? Explain(Exception e, string homePath)
    {
        var status = Path.Combine(homePath, "status.db");
        return e switch
        {
            _ when IsDiskFull(e) => ($"the disk is full (writing in {homePath}); free some space and run the command again: a failed sync leaves the cursor where it was, and the next sync removes its staged files", CliApp.Failed),
            SqliteException { SqliteErrorCode: 26 or 11 } => ($"the status file {status} is corrupted ({Reason(e)}); move it aside (mv {status} {status}.bad) and run 'sync' to start the connector's history again, or restore it from a backup", CliApp.Failed),
            SqliteException { SqliteErrorCode: 8 } => ($"the status file {status} cannot be written (read-only); fix the permissions of {homePath} or choose another --home", CliApp.BadUsage),
            SqliteException { SqliteErrorCode: 14 } => ($"the status file {status} cannot be opened ({Reason(e)}); check that {homePath} is a directory you can read and write", CliApp.BadUsage),
            SqliteException { SqliteErrorCode: 5 or 6 } => ($"the status file {status} is held by another process; run the command again when it ends", CliApp.BadUsage),
            DuckDBException when e.Message.Contains("not a valid DuckDB database", StringComparison.OrdinalIgnoreCase) => ($"the warehouse file is corrupted or not a DuckDB database ({Reason(e)}); move it aside and run 'sync' to load everything again (a historical sync), or restore it from a backup", CliApp.Failed),
            DuckDBException when e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase) => ($"the warehouse file is in use by another process (is a sync running with --home {homePath}?); run the command again when it ends", CliApp.BadUsage),
            DuckDBException when e.Message.Contains("read-only", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("Permission denied", StringComparison.OrdinalIgnoreCase) => ($"the warehouse file cannot be opened ({Reason(e)}); fix the permissions of {homePath} or choose another --home", CliApp.BadUsage),
            UnauthorizedAccessException => ($"permission denied ({Reason(e)}); fix the permissions of {homePath} or choose another --home", CliApp.BadUsage),
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="e"/>, or what caused it, is the disk running out of space.</summary>
    /// <param name="e">what was thrown</param>
    public static bool IsDiskFull(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is SqliteException { SqliteErrorCode: 13 }
                || (current is IOException && (current.HResult & 0xFFFF) == NoSpaceLeftErrno)
                || current.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string Reason(Exception e) => CliApp.OneLine(e.Message).TrimEnd('.');
}
