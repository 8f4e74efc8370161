using System.Collections.Frozen;

namespace ServerlessSync.Zuora;

/// <summary>The REST base URL of each Zuora environment (docs/zuora-wire.md, "Base URL by environment").</summary>
public static class ZuoraEnvironments
{
    public static IReadOnlyDictionary<string, Uri> Known { get; } = new Dictionary<string, Uri>(StringComparer.OrdinalIgnoreCase)
    {
        ["us"] = new("https://rest.na.zuora.com"),
        ["us-sandbox"] = new("https://rest.sandbox.na.zuora.com"),
        ["us-cloud2"] = new("https://rest.zuora.com"),
        ["us-cloud2-sandbox"] = new("https://rest.apisandbox.zuora.com"),
        ["us-test"] = new("https://rest.test.zuora.com"),
        ["eu"] = new("https://rest.eu.zuora.com"),
        ["eu-sandbox"] = new("https://rest.sandbox.eu.zuora.com"),
        ["eu-test"] = new("https://rest.test.eu.zuora.com"),
        ["apac"] = new("https://rest.ap.zuora.com"),
        ["apac-test"] = new("https://rest.test.ap.zuora.com"),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The base URL for an environment name (case-insensitive) or an explicit absolute URL, which must be
    /// <c>https</c> unless its host is loopback.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name, a relative or non-http URL, or plain http to a remote host.</exception>
    public static Uri Resolve(string nameOrUrl)
    {
        ArgumentNullException.ThrowIfNull(nameOrUrl);
        var text = nameOrUrl.Trim();
        if (Known.TryGetValue(text, out var known))
        {
            return known;
        }

        if (!text.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            throw new ArgumentException($"Zuora environment '{text}' is not known and not a URL; use one of {string.Join(", ", Known.Keys.Order(StringComparer.Ordinal))} or an https:// base URL", nameof(nameOrUrl));
        }

        if (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
        {
            return url;
        }

        throw new ArgumentException($"Zuora base URL '{text}' must use https (plain http only to a loopback host)", nameof(nameOrUrl));
    }
}
