namespace ServerlessSync.Embedded.DuckDb;

/// <summary>
/// A load that failed and was rolled back. The message names the object and, when the failure came from a
/// staged part, the file and (when DuckDB says) the line and the reason.
/// </summary>
public sealed class DuckDbLoadException : Exception
{
    public DuckDbLoadException(string message, string objectName, string? file = null, long? line = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ObjectName = objectName;
        File = file;
        Line = line;
    }

    public string ObjectName { get; }

    /// <summary>The part location that failed, when known.</summary>
    public string? File { get; }

    /// <summary>The 1-based CSV record number within <see cref="File"/>, when DuckDB reports it.</summary>
    public long? Line { get; }
}
