using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace RedshiftDataDouble.Protocol;

/// <summary>
/// The SigV4 headers of a request, checked for form only: an <c>Authorization</c> header
/// <c>AWS4-HMAC-SHA256 Credential=key/yyyymmdd/region/redshift-data/aws4_request, SignedHeaders=…, Signature=…</c>
/// whose signed headers include host and x-amz-date, and an <c>X-Amz-Date</c> on the credential's day.
/// The signature itself is not verified (the double does not know the caller's secret key).
/// </summary>
internal sealed partial record RequestSignature(string AccessKeyId, string Region)
{
    public const string ServiceName = "redshift-data";

    public static RequestSignature Check(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            throw new DataApiException("MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var match = Authorization().Match(authorization);
        if (!match.Success)
        {
            throw new DataApiException(
                "IncompleteSignatureException",
                $"Authorization header is not a SigV4 header of the form 'AWS4-HMAC-SHA256 Credential=key/yyyymmdd/region/service/aws4_request, SignedHeaders=…, Signature=…': '{authorization}'");
        }

        var service = match.Groups["service"].Value;
        if (service != ServiceName)
        {
            throw new DataApiException("InvalidSignatureException", $"Credential should be scoped to correct service: '{ServiceName}' (got '{service}').");
        }

        var signedHeaders = match.Groups["signed"].Value.Split(';');
        if (!signedHeaders.Contains("host") || !signedHeaders.Contains("x-amz-date"))
        {
            throw new DataApiException("IncompleteSignatureException", $"SignedHeaders must include host and x-amz-date (got '{match.Groups["signed"].Value}')");
        }

        var date = headers["X-Amz-Date"].ToString();
        if (!DateTime.TryParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new DataApiException("IncompleteSignatureException", $"X-Amz-Date must be an ISO 8601 basic date-time like 20240501T100000Z (got '{date}')");
        }

        if (!date.StartsWith(match.Groups["date"].Value, StringComparison.Ordinal))
        {
            throw new DataApiException("InvalidSignatureException", $"Credential date {match.Groups["date"].Value} does not match X-Amz-Date {date}");
        }

        return new RequestSignature(match.Groups["key"].Value, match.Groups["region"].Value);
    }

    [GeneratedRegex(
        "^AWS4-HMAC-SHA256 Credential=(?<key>[^/,\\s]+)/(?<date>[0-9]{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request, ?SignedHeaders=(?<signed>[a-z0-9-]+(?:;[a-z0-9-]+)*), ?Signature=[0-9a-f]{64}$")]
    private static partial Regex Authorization();
}
