using System.Text.Json;

namespace ServerlessSync.Zuora;

/// <summary>
/// An OAuth client of a Zuora tenant (Settings &gt; Administration &gt; Manage Users &gt; OAuth Clients).
/// <see cref="ToString"/> never shows the secret, and no error built here echoes a value.
/// </summary>
public sealed record ZuoraCredentials(string ClientId, string ClientSecret)
{
    public const string ClientIdVariable = "ZUORA_CLIENT_ID";
    public const string ClientSecretVariable = "ZUORA_CLIENT_SECRET";

    /// <summary>The environment variable the CLI reads <see cref="EntityIds"/> from when no option gives it.</summary>
    public const string EntityIdsVariable = "ZUORA_ENTITY_IDS";

    /// <summary>
    /// Reads <c>{"clientId": "...", "clientSecret": "..."}</c>; <c>client_id</c> / <c>client_secret</c> are accepted too
    /// (the form of a secret stored for other tools), and an optional <c>entityIds</c> (or <c>entity_ids</c>) for a
    /// multi-entity tenant.
    /// </summary>
    /// <exception cref="FormatException">The text is not a JSON object, or a key is missing, empty or not a string.</exception>
    public static ZuoraCredentials FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            // The parser's message can quote the text, which is a secret: give only the position.
            throw new FormatException($"Zuora credentials are not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); expected {{\"clientId\": \"...\", \"clientSecret\": \"...\"}}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("Zuora credentials must be a JSON object {\"clientId\": \"...\", \"clientSecret\": \"...\"}");
            }

            return new ZuoraCredentials(
                Member(document.RootElement, "clientId", "client_id"),
                Member(document.RootElement, "clientSecret", "client_secret"))
            {
                EntityIds = OptionalMember(document.RootElement, "entityIds", "entity_ids") is { } entityIds ? CheckedEntityIds(entityIds) : null,
            };
        }
    }

    /// <summary>
    /// Reads <see cref="ClientIdVariable"/> and <see cref="ClientSecretVariable"/>: null when neither is set.
    /// </summary>
    /// <exception cref="FormatException">Only one of the two is set.</exception>
    public static ZuoraCredentials? FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        var id = getVariable(ClientIdVariable);
        var secret = getVariable(ClientSecretVariable);
        var hasId = !string.IsNullOrEmpty(id);
        var hasSecret = !string.IsNullOrEmpty(secret);
        return (hasId, hasSecret) switch
        {
            (false, false) => null,
            (true, true) => new ZuoraCredentials(id!, secret!),
            (true, false) => throw new FormatException($"{ClientIdVariable} is set but {ClientSecretVariable} is not: set both or neither"),
            (false, true) => throw new FormatException($"{ClientSecretVariable} is set but {ClientIdVariable} is not: set both or neither"),
        };
    }

    /// <summary>
    /// For a multi-entity tenant whose OAuth client reaches several entities: the entity to work in, sent as the
    /// <c>Zuora-Entity-Ids</c> header on every request to Zuora. Null when the tenant has one entity.
    /// </summary>
    public string? EntityIds { get; init; }

    public override string ToString() => $"ZuoraCredentials {{ ClientId = {ClientId}, ClientSecret = (hidden), EntityIds = {EntityIds ?? "(none)"} }}";

    /// <summary>
    /// <paramref name="value"/> trimmed, as a header value: a Zuora entity id (or several, comma-separated) of visible
    /// ASCII characters.
    /// </summary>
    /// <exception cref="FormatException">It is empty or holds another character.</exception>
    public static string CheckedEntityIds(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.Trim();
        if (trimmed.Length == 0 || trimmed.AsSpan().IndexOfAnyExceptInRange(' ', '~') >= 0)
        {
            throw new FormatException("Zuora entity ids must be the entity's id (comma-separated for several), in visible ASCII characters");
        }

        return trimmed;
    }

    private static string? OptionalMember(JsonElement root, string name, string alternative)
    {
        foreach (var key in (ReadOnlySpan<string>)[name, alternative])
        {
            if (root.TryGetProperty(key, out _))
            {
                return Member(root, name, alternative);
            }
        }

        return null;
    }

    private static string Member(JsonElement root, string name, string alternative)
    {
        foreach (var key in (ReadOnlySpan<string>)[name, alternative])
        {
            if (root.TryGetProperty(key, out var value))
            {
                if (value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
                {
                    throw new FormatException($"Zuora credentials: '{key}' must be a non-empty string");
                }

                return value.GetString()!;
            }
        }

        throw new FormatException($"Zuora credentials: missing key '{name}' (or '{alternative}')");
    }
}
