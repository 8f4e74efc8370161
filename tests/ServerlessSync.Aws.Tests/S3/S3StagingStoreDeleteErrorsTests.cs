using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessSync.Aws.S3;
using ServerlessSync.Aws.Tests.Stack;

namespace ServerlessSync.Aws.Tests.S3;

/// <summary>
/// Per-key DeleteObjects errors. s3rver never reports any (it lists every key as deleted), so a local HTTP
/// endpoint answers DeleteObjects with S3's own XML, errors included, and the real SDK parses it.
/// </summary>
public sealed class S3StagingStoreDeleteErrorsTests : IAsyncLifetime
{
    private const string Bucket = "staging";

    private readonly List<string> _requestBodies = [];
    private WebApplication _server = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.MapPost("/{bucket}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (_requestBodies)
            {
                _requestBodies.Add(body);
            }

            // The first key of each batch is refused; a key named "gone" is reported missing.
            var keys = System.Xml.Linq.XDocument.Parse(body).Descendants().Where(e => e.Name.LocalName == "Key").Select(e => e.Value).ToList();
            var errors = keys.Select((k, i) => k == "gone"
                ? $"<Error><Key>{k}</Key><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"
                : i == 0 ? $"<Error><Key>{k}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>" : "");
            return Results.Content(
                $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{string.Concat(errors)}</DeleteResult>",
                "application/xml");
        });
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DeleteAsync_KeysRefused_ThrowsNamingEachKeyAndCodeAfterTryingEveryBatch()
    {
        using var s3 = LocalS3.CreateClient(new Uri(_server.Urls.Single()));
        var store = new S3StagingStore(s3, new S3StagingOptions(Bucket) { DeleteBatchSize = 2 });

        var e = await Assert.ThrowsAsync<IOException>(() => store.DeleteAsync(["runs/a/1", "runs/a/2", "runs/a/3", "gone"], default));

        Assert.Equal(2, _requestBodies.Count);
        Assert.Contains("runs/a/1: AccessDenied", e.Message, StringComparison.Ordinal);
        Assert.Contains("runs/a/3: AccessDenied", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 of 4", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("runs/a/2", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("gone", e.Message, StringComparison.Ordinal);
        Assert.Contains($"s3://{Bucket}", e.Message, StringComparison.Ordinal);
    }
}
