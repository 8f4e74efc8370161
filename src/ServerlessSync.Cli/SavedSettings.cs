using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessSync.Cli;

/// <summary>
/// What a connector's last sync was run with — source, files directory, Zuora environment, credentials file, entity, destination —
/// kept in its home (<c>connector-{id}.json</c>) so later commands need none of it repeated. An option given on the
/// command line wins, and a sync saves what it ran with.
/// </summary>
internal sealed record SavedSettings
{
    public required string Source { get; init; }

    public string? DestinationPath { get; init; }

    public required string DestinationSchema { get; init; }

    public string? ZuoraEnvironment { get; init; }

    public string? ZuoraCredentialsFile { get; init; }

    public string? ZuoraEntityIds { get; init; }

    public int ZuoraPollSeconds { get; init; }

    public static string PathOf(string homePath, string connectorId) => Path.Combine(homePath, $"connector-{connectorId}.json");

    /// <summary>The saved settings, or null when none were saved (or the connector id cannot name a file).</summary>
    /// <param name="homePath">the home</param>
    /// <param name="connectorId">the connector</param>
    public static SavedSettings? Load(string homePath, string connectorId)
    {
        if (connectorId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || connectorId is "." or "..")
        {
            return null;
        }

        var path = PathOf(homePath, connectorId);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), SavedSettingsJson.Default.SavedSettings)
                ?? throw new JsonException("it is empty");
        }
        catch (JsonException e)
        {
            throw new UsageException($"the saved settings {path} are not readable ({e.Message}); delete the file and give the options again");
        }
    }

    /// <summary>What <paramref name="settings"/> ran with, to save.</summary>
    /// <param name="settings">the settings a sync ran with</param>
    public static SavedSettings Of(EmbeddedSettings settings) => new()
    {
        Source = settings.Source,
        DestinationPath = settings.DestinationPath is null ? null : Path.GetFullPath(settings.DestinationPath),
        DestinationSchema = settings.DestinationSchema,
        ZuoraEnvironment = settings.ZuoraEnvironment,
        ZuoraCredentialsFile = settings.ZuoraCredentialsFile is null ? null : Path.GetFullPath(settings.ZuoraCredentialsFile),
        ZuoraEntityIds = settings.ZuoraEntityIds,
        ZuoraPollSeconds = settings.ZuoraPollSeconds,
    };

    /// <summary>Writes the settings next to the connector's other files, replacing the file whole.</summary>
    /// <param name="homePath">the home</param>
    /// <param name="connectorId">the connector</param>
    public void Save(string homePath, string connectorId)
    {
        var path = PathOf(homePath, connectorId);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, SavedSettingsJson.Default.SavedSettings));
        File.Move(temp, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SavedSettings))]
internal sealed partial class SavedSettingsJson : JsonSerializerContext;
