using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Embedded.Tests.Pipeline;

/// <summary>A source known only by its object names: starting a run reads nothing else.</summary>
internal sealed class ObjectNamesOnly(params string[] objects) : ISource
{
    public string Name { get; init; } = "names-only";

    public IReadOnlyList<string> Objects => objects;

    public ValueTask<ObjectSchema> DescribeAsync(string objectName, CancellationToken cancellationToken) => throw new NotSupportedException("starting a run describes nothing");

    public IAsyncEnumerable<SourceRow> ReadAsync(ObjectSchema schema, SyncWindow window, CancellationToken cancellationToken) => throw new NotSupportedException("starting a run reads nothing");
}
