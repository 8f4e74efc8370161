using Amazon;
using Amazon.Runtime;
using ServerlessSync.Aws.Auth;
using ServerlessSync.Aws.RedshiftData;

namespace ServerlessSync.Aws.Tests.Auth;

/// <summary>The propagation-delay retry on the injected clock: backoff, what it says, and the 10-minute end.</summary>
public sealed class AccessRetryTests
{
    private const string Denied = "User: arn:aws:sts::123456789012:assumed-role/loader/fn is not authorized to perform: redshift:GetClusterCredentials on resource: arn:aws:redshift:us-east-1:123456789012:dbuser:c/u";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AccessRefusedTwiceAfterAPolicyChange_IsRetriedWithBackoff_SayingSo_AndSucceeds()
    {
        await using var endpoint = await Tests.Http.RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, "AccessDeniedException", Denied).AnswerError(400, "AccessDeniedException", Denied).AnswerJson("""{"Id": "s-1"}""");
        var clock = new Testing.ImmediateTimeProvider(T0);
        var said = new List<string>();
        using var client = Client(endpoint, clock, new AccessRetry { Say = said.Add });

        var submitted = await client.ExecuteStatementAsync(new ExecuteStatementRequest(RedshiftTarget.ProvisionedCluster("c", "dev", "u"), "SELECT 1"), CancellationToken.None);

        Assert.Equal("s-1", submitted.Id);
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)], clock.Delays);
        Assert.Equal(2, said.Count);
        Assert.All(said, line => Assert.Contains("AUTH_PROPAGATION_DELAY", line, StringComparison.Ordinal));
        Assert.Contains("up to 10 minutes", said[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessStillRefusedAfterTenMinutes_FailsWithTheCauseAndFix_SayingItWasNoPropagationDelay()
    {
        await using var endpoint = await Tests.Http.RecordingEndpoint.StartAsync();
        for (var i = 0; i < 30; i++)
        {
            endpoint.AnswerError(400, "AccessDeniedException", Denied);
        }

        var clock = new Testing.ImmediateTimeProvider(T0);
        using var client = Client(endpoint, clock, new AccessRetry());

        var e = await Assert.ThrowsAsync<AwsAuthException>(() => client.ExecuteStatementAsync(new ExecuteStatementRequest(RedshiftTarget.ProvisionedCluster("c", "dev", "u"), "SELECT 1"), CancellationToken.None));

        Assert.Equal(AuthCauses.GetClusterCredentials, e.Cause);
        Assert.InRange(clock.GetUtcNow() - T0, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Equal([5, 10, 20, 40, 60, 60, 60, 60, 60, 60, 60, 60], clock.Delays.Select(d => (int)d.TotalSeconds));
        Assert.Contains("AUTH_GET_CLUSTER_CREDENTIALS", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a propagation delay", e.Message, StringComparison.Ordinal);
        Assert.Contains("Fix: Allow redshift:GetClusterCredentials", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task WithoutPatience_AnAccessErrorFailsAtOnce_StillClassified()
    {
        await using var endpoint = await Tests.Http.RecordingEndpoint.StartAsync();
        endpoint.AnswerError(400, "AccessDeniedException", Denied);
        var clock = new Testing.ImmediateTimeProvider(T0);
        using var client = Client(endpoint, clock, AccessRetry.None);

        var e = await Assert.ThrowsAsync<AwsAuthException>(() => client.ExecuteStatementAsync(new ExecuteStatementRequest(RedshiftTarget.ProvisionedCluster("c", "dev", "u"), "SELECT 1"), CancellationToken.None));

        Assert.Equal("AUTH_GET_CLUSTER_CREDENTIALS", e.Cause?.Code);
        Assert.Empty(clock.Delays);
        Assert.Single(endpoint.Requests);
    }

    private static RedshiftDataClient Client(Tests.Http.RecordingEndpoint endpoint, TimeProvider clock, AccessRetry access) =>
        new(new Aws.Http.AwsClientOptions(new BasicAWSCredentials("k", "s"), RegionEndpoint.USEast1) { ServiceUrl = endpoint.Url, TimeProvider = clock, AccessRetry = access });
}
