using System.Globalization;
using System.Text.RegularExpressions;
using Amazon;
using ServerlessSync.Core.Pipeline;

namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// Configuration read from environment variables, for <see cref="FunctionSettings"/> and the status API's settings:
/// a name → value lookup where null or blank is not set and values are trimmed, and every failure an exception naming
/// the variable and what is wrong with it, made by the reader's <c>error</c> (variable, message) so that each caller
/// keeps its own exception type.
/// </summary>
internal sealed partial class SettingVariables(Func<string, string?> variable, Func<string, string, Exception> error)
{
    /// <summary>The variable's value, trimmed; null when it is not set or blank.</summary>
    public string? Optional(string name) => variable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>The variable's value; fails when it is not set, saying it names <paramref name="what"/>.</summary>
    public string Required(string name, string what) =>
        Optional(name) ?? throw error(name, $"environment variable {name} is not set: it names {what}");

    /// <summary>The failure for <paramref name="name"/> with <paramref name="message"/>, to throw.</summary>
    public Exception Error(string name, string message) => error(name, message);

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; <paramref name="fallback"/> when not set.</summary>
    public int Integer(string name, int fallback, int min, int max)
    {
        var text = Optional(name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw error(name, $"{name} '{text}' is not a whole number from {min} to {max}");
    }

    /// <summary>AWS_REGION (required; Lambda sets it).</summary>
    public RegionEndpoint Region()
    {
        var name = Required("AWS_REGION", "the AWS region (Lambda sets it)");
        return RegionName().IsMatch(name)
            ? RegionEndpoint.GetBySystemName(name)
            : throw error("AWS_REGION", $"AWS_REGION '{name}' is not a region name (e.g. eu-west-1)");
    }

    /// <summary>CONNECTOR_ID, checked (default <c>default</c>).</summary>
    public string ConnectorId()
    {
        var connectorId = Optional("CONNECTOR_ID") ?? SyncOptions.DefaultConnectorId;
        CheckConnectorId(connectorId, error);
        return connectorId;
    }

    /// <summary>An absolute http(s) URL in place of AWS's endpoint (tests only); null when not set.</summary>
    public Uri? Endpoint(string name)
    {
        var text = Optional(name);
        if (text is null)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw error(name, $"{name} '{text}' is not an absolute http(s) URL");
    }

    /// <summary>Fails, as <paramref name="error"/> makes it, naming CONNECTOR_ID when <paramref name="connectorId"/> is not a connector id.</summary>
    public static void CheckConnectorId(string connectorId, Func<string, string, Exception> error)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            new SyncOptions { ConnectorId = connectorId }.Validate();
        }
        catch (ArgumentException e)
        {
            throw error("CONNECTOR_ID", $"CONNECTOR_ID: {e.Message}");
        }
    }

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d+$")]
    private static partial Regex RegionName();
}
