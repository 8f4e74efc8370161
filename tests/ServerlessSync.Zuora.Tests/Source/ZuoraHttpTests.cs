using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Http;
using ServerlessSync.Zuora.Http;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>The request executor against small local servers that misbehave in one way each.</summary>
public class ZuoraHttpTests
{
    private static ZuoraHttp Http(Uri baseUrl, int maxAttempts = 5, TimeSpan? requestTimeout = null) =>
        new(new ZuoraOptions { BaseUrl = baseUrl, MaxAttempts = maxAttempts, RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(100) },
            new ZuoraCredentials("id", "secret"), new ImmediateTimeProvider(ZuoraPipeline.T0), null, null);

    [Fact]
    public async Task SendAsync_PresignedRefusedBySignatureDoesNotMatch_KeepsOnlyS3sCodeAndMessage()
    {
        await using var s3 = await LocalEndpoint.StartAsync(async context =>
        {
            context.Response.StatusCode = 403;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>" +
                "<Message>The request signature we calculated does not match the signature you provided.</Message>" +
                "<AWSAccessKeyId>AKIAEXAMPLEKEY123</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256 secret-bits</StringToSign><RequestId>R1</RequestId></Error>");
        });
        using var http = Http(new Uri("https://rest.test.zuora.com/"));

        var error = await Assert.ThrowsAsync<ZuoraApiException>(() =>
            http.SendAsync("result download", () => new HttpRequestMessage(HttpMethod.Get, new Uri(s3.Url, "file.csv.gz?X-Amz-Signature=abc")), RequestKind.Presigned, CancellationToken.None));

        Assert.Contains("HTTP 403", error.Message, StringComparison.Ordinal);
        Assert.Contains("SignatureDoesNotMatch", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the signature you provided", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLEKEY123", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("StringToSign", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-bits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_PresignedHostUnreachable_NamesThatHostNotTheBaseUrl()
    {
        var port = FreePort();
        using var http = Http(new Uri("https://rest.test.zuora.com/"), maxAttempts: 1);

        var error = await Assert.ThrowsAsync<ZuoraApiException>(() =>
            http.SendAsync("result download", () => new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/file.csv.gz")), RequestKind.Presigned, CancellationToken.None));

        Assert.Contains($"cannot reach http://127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("zuora.com", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendJsonAsync_BodyStallsAfterTheHeaders_TimesOutAndIsRepeated()
    {
        var calls = 0;
        await using var zuora = await LocalEndpoint.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            if (context.Request.Path == "/oauth/token")
            {
                await context.Response.WriteAsync("{\"access_token\":\"t1\",\"expires_in\":3600}");
                return;
            }

            if (Interlocked.Increment(ref calls) == 1)
            {
                await context.Response.WriteAsync("{\"status\":");
                await context.Response.Body.FlushAsync();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // the client gave up, as it should
                }

                return;
            }

            await context.Response.WriteAsync("{\"status\":\"completed\"}");
        });
        // Real time (the socket's): long enough that the repeated request, answered at once, never meets it on a busy machine.
        using var http = Http(zuora.Url, requestTimeout: TimeSpan.FromSeconds(2));

        var answer = await http.SendJsonAsync("job status (GET /v1/batch-query/jobs/j1)", HttpMethod.Get, "v1/batch-query/jobs/j1", null, CancellationToken.None);

        Assert.Equal("completed", answer.GetProperty("status").GetString());
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task IdleTimeoutStream_ReadGettingNothingWithinTheTimeout_FailsNamingTheCall()
    {
        var time = new FakeTimeProvider(ZuoraPipeline.T0);
        await using var stream = new IdleTimeoutStream(new StallingStream(Encoding.UTF8.GetBytes("id,updateddate\n")), TimeSpan.FromSeconds(100), time, "Zuora AQuA export of account file download");
        var buffer = new byte[64];

        var first = await stream.ReadAsync(buffer);
        var stalled = stream.ReadAsync(buffer).AsTask();
        time.Advance(TimeSpan.FromSeconds(99));
        var stillWaiting = !stalled.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<ZuoraApiException>(() => stalled);

        Assert.Equal(15, first);
        Assert.True(stillWaiting);
        Assert.Contains("Zuora AQuA export of account file download", error.Message, StringComparison.Ordinal);
        Assert.Contains("100 s", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Returns its bytes, then a read that never completes until cancelled (a body that stopped arriving).</summary>
    private sealed class StallingStream(byte[] start) : MemoryStream(start)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position < Length)
            {
                return await base.ReadAsync(buffer, cancellationToken);
            }

            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return 0;
        }
    }
}
