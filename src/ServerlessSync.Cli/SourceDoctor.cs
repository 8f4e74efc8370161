using ServerlessSync.Core.Ports;
using ServerlessSync.Zuora;

namespace ServerlessSync.Cli;

/// <summary>
/// <c>doctor</c>'s checks: the Zuora source's own (<see cref="ZuoraDoctor"/>: credentials, then each object), and for
/// any other source that each selected object can be described.
/// </summary>
internal static class SourceDoctor
{
    public static async Task<IReadOnlyList<ZuoraCheck>> CheckAsync(ISource source, IReadOnlyList<string> objects, CancellationToken cancellationToken)
    {
        if (source is ZuoraSource zuora)
        {
            using var doctor = new ZuoraDoctor(zuora);
            return await doctor.CheckAsync(objects, cancellationToken);
        }

        var checks = new List<ZuoraCheck>();
        foreach (var name in objects)
        {
            try
            {
                var schema = await source.DescribeAsync(name, cancellationToken);
                checks.Add(new ZuoraCheck(name, true, $"{schema.Columns.Count} columns"));
            }
            catch (Exception e) when (e is UnknownObjectException or SourceDataException or InvalidDataException or IOException)
            {
                checks.Add(new ZuoraCheck(name, false, e.Message));
            }
        }

        return checks;
    }
}
