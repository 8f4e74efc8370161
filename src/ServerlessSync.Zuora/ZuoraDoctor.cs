using System.Net;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Zuora;

/// <summary>One finding of <see cref="ZuoraDoctor"/>: what was checked, whether it passed, and what to do, in plain words.</summary>
public sealed record ZuoraCheck(string Subject, bool Passed, string Message);

/// <summary>
/// Checks a Zuora connection before a sync: the environment answers and accepts the credentials, and each selected
/// object can be described, has <c>Id</c> and <c>UpdatedDate</c> among its exportable fields, and can be exported:
/// a probe reads an empty window (<c>UpdatedDate</c> from now to now) through the same AQuA job, and for objects that
/// report deletes the same Data Query job, a sync runs. Probes run at most the source's job limit at once. Messages
/// are written for the billing administrator who set up the OAuth client.
/// </summary>
public sealed class ZuoraDoctor : IDisposable
{
    public const string ConnectionSubject = "connection";

    private readonly ZuoraSource _source;
    private readonly ZuoraCredentials? _credentials;
    private readonly bool _ownsSource;

    public ZuoraDoctor(ZuoraOptions options, ZuoraCredentials credentials, TimeProvider time, HttpMessageHandler? transport = null, Action<string>? log = null)
    {
        _source = new ZuoraSource(options, credentials, time, transport, log);
        _credentials = credentials;
        _ownsSource = true;
    }

    /// <summary>Checks through <paramref name="source"/> (not disposed with the doctor).</summary>
    public ZuoraDoctor(ZuoraSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    /// <summary>
    /// One check for the connection and credentials, then one per object of <paramref name="objects"/> (ours, e.g.
    /// <c>account</c>); the object checks fail as skipped when the connection check failed.
    /// </summary>
    public async Task<IReadOnlyList<ZuoraCheck>> CheckAsync(IReadOnlyList<string> objects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var connection = await CheckConnectionAsync(cancellationToken);
        var objectChecks = connection.Passed
            ? await Task.WhenAll(objects.Select(name => CheckObjectAsync(name, cancellationToken)))
            : [.. objects.Select(name => new ZuoraCheck(name, false, "not checked: there is no working connection to Zuora (see the connection check)"))];
        return [connection, .. objectChecks];
    }

    public void Dispose()
    {
        if (_ownsSource)
        {
            _source.Dispose();
        }
    }

    private async Task<ZuoraCheck> CheckConnectionAsync(CancellationToken cancellationToken)
    {
        var site = _source.Http.BaseUrl.GetLeftPart(UriPartial.Authority);
        var environments = string.Join(", ", ZuoraEnvironments.Known.Keys.Order(StringComparer.Ordinal));
        try
        {
            await _source.Http.GetTokenAsync(null, cancellationToken);
            var client = _credentials is null ? "" : $" as OAuth client {_credentials.ClientId}";
            return new ZuoraCheck(ConnectionSubject, true, $"signed in to {site}{client}");
        }
        catch (ZuoraAuthenticationException e)
        {
            return new ZuoraCheck(ConnectionSubject, false,
                $"Zuora at {site} rejected the client ID or secret (HTTP {(int?)e.Status}{(e.ErrorCode is null ? "" : ", " + e.ErrorCode)}): check the OAuth client under Settings > Administration > Manage Users, " +
                $"and that the environment is the one the client was created in (a sandbox client does not work in production; environments: {environments})");
        }
        catch (ZuoraApiException e) when (e.Status is null)
        {
            return new ZuoraCheck(ConnectionSubject, false, $"cannot reach {site}: {e.InnerException?.Message ?? e.Message}. Check the network and the environment ({environments})");
        }
        catch (ZuoraApiException e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            return new ZuoraCheck(ConnectionSubject, false, $"{site} has no Zuora OAuth endpoint (HTTP {(int)e.Status}): is this the REST URL of your environment? Known environments: {environments}");
        }
        catch (ZuoraApiException e)
        {
            return new ZuoraCheck(ConnectionSubject, false, $"the token request to {site} failed: {e.Message}");
        }
    }

    private async Task<ZuoraCheck> CheckObjectAsync(string name, CancellationToken cancellationToken)
    {
        var zuoraObject = ZuoraCatalog.Find(name);
        if (zuoraObject is null)
        {
            return new ZuoraCheck(name, false, $"not an object the zuora source syncs; it syncs {string.Join(", ", ZuoraCatalog.All.Select(o => o.Name))}");
        }

        try
        {
            var described = await _source.DescribeObjectAsync(zuoraObject, cancellationToken);
            var fields = $"{zuoraObject.ApiName}: {described.Fields.Count} exportable fields, Id and UpdatedDate among them";
            try
            {
                var now = _source.Time.GetUtcNow();
                await foreach (var _ in _source.ReadAsync(described.Schema, new SyncWindow(now, now), cancellationToken))
                {
                    // An empty window: a probe of the export, not a read.
                }
            }
            catch (ZuoraApiException e)
            {
                return new ZuoraCheck(name, false, $"{fields}, but a test export fails: {e.Message}. The API user needs permission to read {zuoraObject.ApiName} (and to run Data Query for its deleted records)");
            }
            catch (SourceDataException e)
            {
                return new ZuoraCheck(name, false, $"{fields}, but the file of a test export cannot be read: {e.Message}");
            }

            var deletes = zuoraObject.ReportsDeletes
                ? "test export passed, and deleted records are read through Data Query (its test query passed; Zuora keeps deleted records 30 days)"
                : "test export passed; deletes are not reported for this object: a periodic full re-sync removes deleted rows";
            return new ZuoraCheck(name, true, $"{fields}; {deletes}");
        }
        catch (InvalidDataException e)
        {
            return new ZuoraCheck(name, false, e.Message);
        }
        catch (ZuoraApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return new ZuoraCheck(name, false, $"Zuora does not know the object {zuoraObject.ApiName} (HTTP 404 from describe): it may not be enabled in this tenant");
        }
        catch (ZuoraApiException e)
        {
            return new ZuoraCheck(name, false, e.Message);
        }
    }
}
