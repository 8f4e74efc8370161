using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessSync.Aws.Doctor;

namespace ServerlessSync.Cli;

/// <summary>
/// A connector's one settings file in its home, <c>connector-{id}.json</c>: what its last sync was run with — source,
/// files directory, Zuora environment, credentials file, entity, destination — so later commands need none of it
/// repeated (an option given on the command line wins, and a sync saves what it ran with), and <see cref="Redshift"/>,
/// the Redshift destination's settings <c>doctor --destination redshift</c> and <c>setup print</c> read. The former
/// <c>{id}.destination.json</c> is read once, moved into <see cref="Redshift"/>, and removed (<see cref="Load"/>).
/// </summary>
internal sealed record SavedSettings
{
    /// <summary>Null until a sync ran (a file holding only <see cref="Redshift"/>).</summary>
    public string? Source { get; init; }

    public string? DestinationPath { get; init; }

    public string? DestinationSchema { get; init; }

    public string? ZuoraEnvironment { get; init; }

    public string? ZuoraCredentialsFile { get; init; }

    public string? ZuoraEntityIds { get; init; }

    /// <summary>Null until a sync ran.</summary>
    public int? ZuoraPollSeconds { get; init; }

    /// <summary>
    /// The Redshift destination's settings by the functions' variable names (<c>{"REDSHIFT_CLUSTER_ID": "…",
    /// "COPY_ROLE_ARN": "…"}</c>), for doctor and setup print; written by hand (or migrated), kept by every save.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Redshift { get; init; }

    /// <summary>The file the destination settings were kept in before they joined this one.</summary>
    public static string FormerDestinationPathOf(string homePath, string connectorId) => Path.Combine(homePath, $"{connectorId}.destination.json");

    public static string PathOf(string homePath, string connectorId) => Path.Combine(homePath, $"connector-{connectorId}.json");

    /// <summary>The saved settings, or null when none were saved (or the connector id cannot name a file).</summary>
    /// <param name="homePath">the home</param>
    /// <param name="connectorId">the connector</param>
    /// <remarks>
    /// A former <c>{id}.destination.json</c> is migrated here first: its settings become <see cref="Redshift"/> (unless
    /// this file has some already, which win), the file is saved, and the former file removed.
    /// </remarks>
    public static SavedSettings? Load(string homePath, string connectorId)
    {
        if (connectorId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || connectorId is "." or "..")
        {
            return null;
        }

        var saved = Read(PathOf(homePath, connectorId));
        var former = FormerDestinationPathOf(homePath, connectorId);
        if (!File.Exists(former))
        {
            return saved;
        }

        IReadOnlyDictionary<string, string> destination;
        try
        {
            destination = DestinationSettingsReader.ReadSavedFile(former);
        }
        catch (DestinationSettingsException e)
        {
            throw new UsageException(e.Message);
        }

        var migrated = (saved ?? new SavedSettings()) is var current && current.Redshift is { Count: > 0 } ? current : current with { Redshift = destination };
        migrated.Save(homePath, connectorId);
        File.Delete(former);
        return migrated;
    }

    private static SavedSettings? Read(string path)
    {
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
    /// <remarks>The destination settings the file holds are kept when these have none (a sync saves what it ran with).</remarks>
    public void Save(string homePath, string connectorId)
    {
        var path = PathOf(homePath, connectorId);
        var temp = path + ".tmp";
        var saving = Redshift is null && Read(path)?.Redshift is { } kept ? this with { Redshift = kept } : this;
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(saving, SavedSettingsJson.Default.SavedSettings));
        File.Move(temp, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SavedSettings))]
internal sealed partial class SavedSettingsJson : JsonSerializerContext;
