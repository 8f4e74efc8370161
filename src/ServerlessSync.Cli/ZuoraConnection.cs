using ServerlessSync.Zuora;

namespace ServerlessSync.Cli;

/// <summary>The command line's <c>zuora</c> source: its base URL, options and credentials from the settings.</summary>
internal static class ZuoraConnection
{
    public const string EnvironmentVariable = "ZUORA_ENV";

    /// <summary>The source for <paramref name="settings"/>; throws <see cref="UsageException"/> naming what is missing or wrong.</summary>
    public static ZuoraSource CreateSource(EmbeddedSettings settings, TimeProvider clock, Action<string> log) =>
        new(Options(settings), Credentials(settings), clock, log: log);

    public static ZuoraOptions Options(EmbeddedSettings settings)
    {
        var environment = settings.ZuoraEnvironment ?? settings.EnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(environment))
        {
            throw new UsageException(
                $"--source zuora needs --zuora-env (or {EnvironmentVariable}): one of {string.Join(", ", ZuoraEnvironments.Known.Keys)}, or your tenant's REST base URL");
        }

        try
        {
            var pollInterval = TimeSpan.FromSeconds(settings.ZuoraPollSeconds);
            var options = new ZuoraOptions { BaseUrl = ZuoraEnvironments.Resolve(environment.Trim()), PollInterval = pollInterval };

            // Polls slow down to the default ceiling, unless the first wait asked for is already longer.
            return options.MaxPollInterval >= pollInterval ? options : options with { MaxPollInterval = pollInterval };
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--zuora-env: {e.Message}");
        }
    }

    /// <summary>
    /// From <see cref="EmbeddedSettings.ZuoraCredentialsFile"/> when given, else from ZUORA_CLIENT_ID and
    /// ZUORA_CLIENT_SECRET; the entity from <c>--zuora-entity-ids</c>, else ZUORA_ENTITY_IDS, else the file's <c>entityIds</c>.
    /// </summary>
    public static ZuoraCredentials Credentials(EmbeddedSettings settings)
    {
        var credentials = ClientCredentials(settings);
        var entityIds = settings.ZuoraEntityIds ?? settings.EnvironmentVariable(ZuoraCredentials.EntityIdsVariable);
        if (string.IsNullOrWhiteSpace(entityIds))
        {
            return credentials;
        }

        try
        {
            return credentials with { EntityIds = ZuoraCredentials.CheckedEntityIds(entityIds) };
        }
        catch (FormatException e)
        {
            throw new UsageException($"--zuora-entity-ids: {e.Message}");
        }
    }

    private static ZuoraCredentials ClientCredentials(EmbeddedSettings settings)
    {
        try
        {
            if (settings.ZuoraCredentialsFile is { } file)
            {
                var path = Path.GetFullPath(file);
                if (!File.Exists(path))
                {
                    throw new UsageException($"--zuora-credentials: file {path} does not exist");
                }

                return ZuoraCredentials.FromJson(File.ReadAllText(path));
            }

            return ZuoraCredentials.FromEnvironment(settings.EnvironmentVariable)
                ?? throw new UsageException(
                    $"--source zuora needs the OAuth client's credentials: set {ZuoraCredentials.ClientIdVariable} and {ZuoraCredentials.ClientSecretVariable}, or give --zuora-credentials FILE (JSON with clientId and clientSecret)");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException)
        {
            var where = settings.ZuoraCredentialsFile is { } f ? $"--zuora-credentials {f}" : "the Zuora credentials";
            throw new UsageException($"{where}: {e.Message}");
        }
    }
}
