using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServerlessSync.Testing.Http;

/// <summary>
/// A real HTTP server a test talks to in place of a service: Kestrel on 127.0.0.1 at a free port, without logging,
/// every request handed to <see cref="HandleAsync"/>. A subclass starts itself with <see cref="StartAsync{TEndpoint}"/>
/// from its own static <c>StartAsync</c>; a test that only has a request handler uses <see cref="StartAsync(RequestDelegate)"/>.
/// Disposing stops the server.
/// </summary>
public abstract class LocalEndpoint : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The server's base URL, ending in '/' (<c>http://127.0.0.1:PORT/</c>).</summary>
    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    /// <summary>A started endpoint that hands every request to <paramref name="handler"/>.</summary>
    public static async Task<LocalEndpoint> StartAsync(RequestDelegate handler) => await StartAsync(new DelegatingEndpoint(handler));

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the server for <paramref name="endpoint"/> and returns it, its <see cref="Url"/> set.</summary>
    protected static async Task<TEndpoint> StartAsync<TEndpoint>(TEndpoint endpoint)
        where TEndpoint : LocalEndpoint
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        endpoint._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        endpoint.Url = new Uri(address.TrimEnd('/') + "/");
        return endpoint;
    }

    /// <summary>Answers one request.</summary>
    protected abstract Task HandleAsync(HttpContext context);

    private sealed class DelegatingEndpoint(RequestDelegate handler) : LocalEndpoint
    {
        protected override Task HandleAsync(HttpContext context) => handler(context);
    }
}
