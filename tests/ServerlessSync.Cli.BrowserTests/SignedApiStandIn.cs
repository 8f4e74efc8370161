using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Status;
using ServerlessSync.Testing.Http;

namespace ServerlessSync.Cli.BrowserTests;

/// <summary>
/// A local stand-in of the deployed stack's IAM-authorised HTTP API: every request's SigV4 signature is recomputed
/// from the request as received (canonical request built here, signature by AWSSDK.Core's <see cref="AWS4Signer"/>
/// with the one key pair it knows) and must match, as must the payload hash; a request that fails is answered 403
/// <c>{"message":…}</c> as API Gateway does. A signed request is answered by the core <see cref="StatusApi"/> over
/// the status store it is started with, as the Lambda function answers it; starts are recorded, not run.
/// </summary>
internal sealed partial class SignedApiStandIn(ImmutableCredentials accepted, string region) : IRunStarter
{
    private int _verified;
    private int _rejected;

    public int Verified => _verified;

    public int Rejected => _rejected;

    public List<RunStartRequest> Starts { get; } = [];

    /// <summary>
    /// When set, the answer to <c>GET /connectors/default/checks/latest</c>, and <c>POST /connectors/default/checks</c>
    /// is answered 202 and counted in <see cref="ChecksStarted"/>: the destination checks' routes as a deployment that
    /// has them answers; unset, those paths are the core API's (no route, 404).
    /// </summary>
    public string? ChecksLatest { get; set; }

    public int ChecksStarted { get; private set; }

    public LocalEndpoint Endpoint { get; private set; } = null!;

    public static async Task<SignedApiStandIn> StartAsync(IStatusStore status, ImmutableCredentials accepted, string region)
    {
        var standIn = new SignedApiStandIn(accepted, region);
        var api = new StatusApi(new StatusQueries(status), standIn, "default", TimeProvider.System);
        standIn.Endpoint = await LocalEndpoint.StartAsync(http => standIn.HandleAsync(http, api));
        return standIn;
    }

    public Task<RunStartResult> StartAsync(RunStartRequest request, CancellationToken cancellationToken)
    {
        lock (Starts)
        {
            Starts.Add(request);
        }

        return Task.FromResult<RunStartResult>(new RunStarted(request.RunId, $"arn:aws:states:{region}:123456789012:execution:sync:{request.RunId}"));
    }

    private async Task HandleAsync(HttpContext http, StatusApi api)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        if (Problem(http, body) is { } problem)
        {
            Interlocked.Increment(ref _rejected);
            http.Response.StatusCode = 403;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync($"{{\"message\":\"{problem}\"}}");
            return;
        }

        Interlocked.Increment(ref _verified);
        var target = http.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (ChecksLatest is { } latest && target.StartsWith("/connectors/default/checks", StringComparison.Ordinal))
        {
            var started = http.Request.Method == "POST";
            ChecksStarted += started ? 1 : 0;
            http.Response.StatusCode = started ? 202 : 200;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(started ? "{\"connectorId\":\"default\"}" : latest);
            return;
        }

        var query = http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var answer = await api.HandleAsync(new StatusApiRequest(http.Request.Method, target.Split('?')[0], query, body.Length == 0 ? null : Encoding.UTF8.GetString(body), false, "standin"), http.RequestAborted);
        http.Response.StatusCode = answer.Response.StatusCode;
        foreach (var (name, value) in answer.Response.Headers)
        {
            http.Response.Headers[name] = value;
        }

        await http.Response.WriteAsync(answer.Response.Body);
    }

    /// <summary>Why the request's signature is not one made with the accepted key for this request; null when it is.</summary>
    private string? Problem(HttpContext http, byte[] body)
    {
        var match = Authorization().Match(http.Request.Headers.Authorization.ToString());
        if (!match.Success)
        {
            return "Missing Authentication Token";
        }

        if (match.Groups["key"].Value != accepted.AccessKey || match.Groups["region"].Value != region || match.Groups["service"].Value != "execute-api")
        {
            return $"credential scope {match.Groups["key"].Value}/{match.Groups["region"].Value}/{match.Groups["service"].Value} is not {accepted.AccessKey}/{region}/execute-api";
        }

        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var sentHash = http.Request.Headers["x-amz-content-sha256"].ToString();
        if (sentHash.Length > 0 && sentHash != payloadHash)
        {
            return "x-amz-content-sha256 is not the body's hash";
        }

        var signedHeaders = match.Groups["signed"].Value;
        if (!signedHeaders.Split(';').Contains("host") || !signedHeaders.Split(';').Contains("x-amz-date"))
        {
            return "host and x-amz-date must be signed";
        }

        var target = http.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget.Split('?', 2);
        var canonicalQuery = target.Length < 2 ? "" : string.Join('&', target[1]
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: Uri.EscapeDataString(Uri.UnescapeDataString(p[0])), Value: Uri.EscapeDataString(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
        var canonicalHeaders = string.Concat(signedHeaders.Split(';').Select(name => $"{name}:{string.Join(',', http.Request.Headers[name].Select(v => v!.Trim()))}\n"));
        var canonicalRequest = $"{http.Request.Method}\n{target[0]}\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaders}\n{payloadHash}";
        var signedAt = DateTime.ParseExact(http.Request.Headers["x-amz-date"].ToString(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var expected = AWS4Signer.ComputeSignature(accepted, region, signedAt, "execute-api", signedHeaders, canonicalRequest).Signature;
        return expected == match.Groups["signature"].Value ? null : "The request signature we calculated does not match the signature you provided";
    }

    [GeneratedRegex("^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>[0-9]{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request, ?SignedHeaders=(?<signed>[a-z0-9;-]+), ?Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex Authorization();
}
