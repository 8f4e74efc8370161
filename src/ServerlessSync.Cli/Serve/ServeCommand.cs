using System.CommandLine;
using Amazon;
using Amazon.Runtime;
using ServerlessSync.Core.Status;
using ServerlessSync.Embedded.Sqlite;

namespace ServerlessSync.Cli.Serve;

/// <summary>
/// <c>serve</c>: the Status tab page and the status API's routes on 127.0.0.1. Over the home, the API is the core
/// <see cref="StatusApi"/> on the home's status file and "Sync now" runs the embedded pipeline in the background
/// (<see cref="EmbeddedRunStarter"/>); with <c>--api URL</c>, the page shows a deployed stack and its calls go to that
/// API signed with the caller's AWS credentials (<see cref="ApiProxy"/>). Runs until Ctrl-C; a sync it started is
/// stopped and closed as interrupted.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(
        Func<ParseResult, EmbeddedSettings> settingsOf,
        Func<ParseResult, string> homeOf,
        TextWriter output,
        TextWriter error,
        TimeProvider systemClock,
        Func<string, string?>? environment,
        AWSCredentials? awsCredentials)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 [default: a free one]", DefaultValueFactory = _ => 0 };
        var api = new Option<string?>("--api") { Description = "Show a deployed stack: its status API's URL (calls are signed with your AWS credentials, from the SDK's standard chain)" };
        var region = new Option<string?>("--region") { Description = "With --api: the API's region [default: from the URL, else AWS_REGION]" };
        var command = new Command("serve", "Serve the Status tab page and the status API on 127.0.0.1: the connector's state, objects, runs and live progress, with Sync now.\n\nExamples:\n  serverless-sync serve\n  serverless-sync serve --api https://abc123.execute-api.eu-west-1.amazonaws.com --connector default") { port, api, region };
        command.SetAction((r, ct) => CliApp.GuardAsync(error, homeOf(r), async () =>
        {
            var portNumber = r.GetValue(port);
            if (portNumber is < 0 or > 65535)
            {
                throw new UsageException($"--port {portNumber} must be from 1 to 65535 (or left out for a free port)");
            }

            var settings = settingsOf(r);
            var connectorId = settings.Sync.ConnectorId;
            if (r.GetValue(api) is { } apiText)
            {
                var apiUrl = ApiUrl(apiText);
                var variable = environment ?? Environment.GetEnvironmentVariable;
                var regionName = r.GetValue(region) ?? ApiProxy.RegionOf(apiUrl) ?? variable("AWS_REGION") ?? variable("AWS_DEFAULT_REGION")
                    ?? throw new UsageException($"--region is needed: {apiUrl.Host} does not name its region; give the region the API is deployed in, e.g. --region eu-west-1");
                using var proxy = new ApiProxy(apiUrl, awsCredentials ?? DestinationCommands.StandardChain(), RegionEndpoint.GetBySystemName(regionName));
                return await ServeAsync(portNumber, connectorId, $"Deployed stack: {apiUrl}", proxy.HandleAsync, output, ct);
            }

            settings.Validate();
            await using var status = new SqliteStatusStore(settings.StatusPath);
            var starter = new EmbeddedRunStarter(settings, systemClock, error, ct);
            var core = new StatusApi(new StatusQueries(status, systemClock), starter, connectorId, systemClock);
            var code = await ServeAsync(portNumber, connectorId, $"Home {settings.HomePath}", StatusServer.CoreApi(core, error), output, ct);
            await starter.Current;
            return code;
        }));
        return command;
    }

    private static async Task<int> ServeAsync(int port, string connectorId, string mode, Func<Microsoft.AspNetCore.Http.HttpContext, Task> api, TextWriter output, CancellationToken cancellationToken)
    {
        StatusServer server;
        try
        {
            server = await StatusServer.StartAsync(port, connectorId, mode, api);
        }
        catch (IOException e) when (port != 0)
        {
            throw new UsageException($"cannot listen on 127.0.0.1:{port} ({CliApp.OneLine(e.Message)}): choose another --port, or leave it out for a free one");
        }

        await using (server)
        {
            await output.WriteLineAsync($"Status page of connector '{connectorId}': {server.Url} (Ctrl-C to stop)");
            await output.FlushAsync(cancellationToken);
            await server.RunUntilAsync(cancellationToken);
        }

        return CliApp.Ok;
    }

    private static Uri ApiUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(url.Query))
        {
            throw new UsageException($"--api '{text}' is not the status API's URL: give it as the stack's output shows it, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com");
        }

        return url;
    }
}
