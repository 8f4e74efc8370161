using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Ports;

/// <summary>Where billing data comes from (the synthetic tenant, JSON Lines exports, Zuora).</summary>
public interface ISource
{
    /// <summary>A short name for logs and status, e.g. <c>synthetic</c>.</summary>
    string Name { get; }

    /// <summary>The objects this source can extract, in dependency order (parents first).</summary>
    IReadOnlyList<string> Objects { get; }

    /// <summary>The object's current columns. Throws <see cref="UnknownObjectException"/> for a name it lacks.</summary>
    ValueTask<ObjectSchema> DescribeAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the rows whose <c>updateddate</c> lies in <paramref name="window"/>. A historical window yields
    /// live rows only; an incremental one yields deleted rows too, with <see cref="SourceRow.Deleted"/> set.
    /// Values follow <paramref name="schema"/>. Never buffers the whole object.
    /// </summary>
    IAsyncEnumerable<SourceRow> ReadAsync(ObjectSchema schema, SyncWindow window, CancellationToken cancellationToken);
}

public sealed class UnknownObjectException(string source, string objectName, IEnumerable<string> known)
    : Exception($"source '{source}' has no object '{objectName}'; it has: {string.Join(", ", known)}")
{
    public string ObjectName { get; } = objectName;
}

/// <summary>A source row that cannot be read: names the file or object, the line and the reason.</summary>
public sealed class SourceDataException(string message) : Exception(message);

/// <summary>
/// A run was asked to read a connector from another source than the one it syncs: its destination tables hold that
/// source's rows, and mixing two sources' rows in them would corrupt both.
/// </summary>
public sealed class ConnectorSourceMismatchException(string connectorId, string connectorSource, string requestedSource)
    : Exception($"connector '{connectorId}' syncs the '{connectorSource}' source, not '{requestedSource}': run it with its own source, or sync '{requestedSource}' as another connector")
{
    public string ConnectorSource { get; } = connectorSource;

    /// <summary>Throws when <paramref name="connector"/> (null before its first run) syncs another source than <paramref name="source"/>.</summary>
    public static void ThrowIfAnother(ConnectorState? connector, ISource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (connector is not null && connector.Source != source.Name)
        {
            throw new ConnectorSourceMismatchException(connector.ConnectorId, connector.Source, source.Name);
        }
    }
}
