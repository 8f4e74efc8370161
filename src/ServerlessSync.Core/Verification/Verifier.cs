using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Core.Verification;

/// <summary>One object's comparison of the source's live rows against the destination's.</summary>
public sealed record ObjectVerification(string ObjectName, long SourceRows, string SourceChecksum, long DestinationRows, string DestinationChecksum, string? Problem)
{
    public bool Matches => Problem is null;
}

/// <summary>
/// Proves the warehouse equals the source: per object, the live row count and an order-independent
/// checksum of every source column, computed the same way on both sides.
/// </summary>
public sealed class Verifier(ISource source, IWarehouse warehouse)
{
    public async Task<IReadOnlyList<ObjectVerification>> VerifyAsync(IReadOnlyList<string> objects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var results = new List<ObjectVerification>();
        foreach (var name in objects)
        {
            results.Add(await VerifyObjectAsync(name, cancellationToken));
        }

        return results;
    }

    private async Task<ObjectVerification> VerifyObjectAsync(string name, CancellationToken cancellationToken)
    {
        var schema = await source.DescribeAsync(name, cancellationToken);
        var fromSource = new RowFingerprint(schema);
        await foreach (var row in source.ReadAsync(schema, SyncWindow.Historical(DateTimeOffset.MaxValue), cancellationToken))
        {
            fromSource.Add(row.Values);
        }

        var destinationSchema = await warehouse.DescribeAsync(name, cancellationToken);
        var fromDestination = new RowFingerprint(schema);
        string? problem = null;
        if (destinationSchema is null)
        {
            problem = "the destination has no table for it";
        }
        else
        {
            var missing = schema.Columns.Where(c => destinationSchema.IndexOf(c.Name) < 0).Select(c => c.Name).ToList();
            if (missing.Count > 0)
            {
                problem = $"the destination lacks column(s) {string.Join(", ", missing)}";
            }
            else
            {
                await foreach (var values in warehouse.ReadLiveRowsAsync(schema, cancellationToken))
                {
                    fromDestination.Add(values);
                }

                if (fromSource.Count != fromDestination.Count)
                {
                    problem = $"{fromSource.Count} live rows in the source, {fromDestination.Count} in the destination";
                }
                else if (fromSource.Checksum != fromDestination.Checksum)
                {
                    problem = "same row count, different values (checksums differ)";
                }
            }
        }

        return new ObjectVerification(name, fromSource.Count, fromSource.Checksum, fromDestination.Count, fromDestination.Checksum, problem);
    }
}
