using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessSync.Core.Status;

namespace ServerlessSync.Cli.Serve;

/// <summary>
/// The web server of <c>serve</c> on 127.0.0.1: the Status tab page (<c>/</c>, with its stylesheet and script, embedded
/// in this assembly) and the status API's routes under <c>/connectors/</c>, answered by the handler it is started with — the core
/// <see cref="StatusApi"/> over the home (<see cref="CoreApi"/>) or the deployed stack's API through a signing proxy
/// (<see cref="ApiProxy"/>). Nothing is served from or fetched on the internet.
/// </summary>
internal sealed class StatusServer : IAsyncDisposable
{
    private const string PageResourcePrefix = "ServerlessSync.Cli.Serve.Page.";

    private readonly WebApplication _app;

    private StatusServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The page's address, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; }

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0: a free port).</summary>
    /// <param name="port">the port, 0 for a free one</param>
    /// <param name="connectorId">the connector the page shows</param>
    /// <param name="mode">what the page says it shows (the home, or the deployed API's address)</param>
    /// <param name="api">answers every request under <c>/connectors/</c></param>
    public static async Task<StatusServer> StartAsync(int port, string connectorId, string mode, Func<HttpContext, Task> api)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var page = Resource("index.html")
            .Replace("{{connectorId}}", WebUtility.HtmlEncode(connectorId), StringComparison.Ordinal)
            .Replace("{{mode}}", WebUtility.HtmlEncode(mode), StringComparison.Ordinal);
        var css = Resource("status.css");
        var script = Resource("status.js");
        app.MapGet("/", () => Results.Text(page, "text/html; charset=utf-8"));
        app.MapGet("/status.css", () => Results.Text(css, "text/css; charset=utf-8"));
        app.MapGet("/status.js", () => Results.Text(script, "text/javascript; charset=utf-8"));
        app.Map("/connectors/{**rest}", api);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new StatusServer(app, new Uri(new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)), "/"));
    }

    /// <summary>Answers with the core status API: the request as <see cref="StatusApiRequest"/>, its answer back as it is.</summary>
    public static Func<HttpContext, Task> CoreApi(StatusApi api, TextWriter log) => async http =>
    {
        var request = http.Request;
        var target = http.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var path = target.Split('?', 2)[0];
        var query = request.Query.ToDictionary(q => q.Key, q => string.Join(',', q.Value.ToArray()), StringComparer.Ordinal);
        var body = await ReadBodyAsync(request, StatusApi.MaxBodyBytes + 1, http.RequestAborted);
        var answer = await api.HandleAsync(new StatusApiRequest(request.Method, path, query, body, false, http.TraceIdentifier), http.RequestAborted);
        if (answer.Failure is { } failure && answer.Response.StatusCode >= 500)
        {
            await log.WriteLineAsync($"{answer.Route}: {answer.Response.StatusCode} {failure.GetType().Name}: {CliApp.OneLine(failure.Message)}");
        }

        await WriteAsync(http, answer.Response);
    };

    /// <summary>Sends <paramref name="answer"/>: its status, headers and JSON body.</summary>
    internal static async Task WriteAsync(HttpContext http, StatusApiResponse answer)
    {
        http.Response.StatusCode = answer.StatusCode;
        foreach (var (name, value) in answer.Headers)
        {
            http.Response.Headers[name] = value;
        }

        await http.Response.WriteAsync(answer.Body, Encoding.UTF8, http.RequestAborted);
    }

    /// <summary>Waits until <paramref name="cancellationToken"/> is cancelled, then stops.</summary>
    public async Task RunUntilAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping is what was asked for.
        }

        await _app.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The body as text, at most <paramref name="limit"/> bytes of it (the API says when it is too long); null when empty.</summary>
    internal static async Task<string?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (buffer.Length < limit && (read = await request.Body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - buffer.Length)), cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.Length == 0 ? null : Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(PageResourcePrefix + name)
            ?? throw new InvalidOperationException($"the page resource {name} is missing from this build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
