using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>The source driven directly (no pipeline) against the fake Zuora.</summary>
public class ZuoraSourceTests
{
    private static FakeZuoraTenant Sample() => FakeZuoraTenant.CreateSample(6, seed: 5, now: ZuoraPipeline.T0.AddMinutes(-1));

    private static async Task<List<SourceRow>> ReadAllAsync(ZuoraSource source, string objectName, SyncWindow window)
    {
        var schema = await source.DescribeAsync(objectName, CancellationToken.None);
        var rows = new List<SourceRow>();
        await foreach (var row in source.ReadAsync(schema, window, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task ReadAsync_SixObjectsAtOnce_NeverMoreJobsThanConfigured()
    {
        var tenant = Sample();
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant, o => o with { MaxConcurrentJobs = 2 }, pollsPerStep: 3);
        string[] objects = ["product", "account", "contact", "subscription", "invoice", "payment"];

        var counts = await Task.WhenAll(objects.Select(async o => (await ReadAllAsync(pipeline.Source, o, SyncWindow.Historical(ZuoraPipeline.T0))).Count));

        Assert.Equal(objects.Select(o => tenant.Records(ZuoraCatalog.Find(o)!.ApiName).Count), counts);
        Assert.Equal(6, pipeline.Fake.JobsSubmitted);
        Assert.Equal(2, pipeline.Fake.MaxConcurrentJobs);
    }

    [Fact]
    public async Task DescribeAsync_TwiceOnOneInstance_AsksZuoraOnce()
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample());

        var first = await pipeline.Source.DescribeAsync("account", CancellationToken.None);
        var second = await pipeline.Source.DescribeAsync("account", CancellationToken.None);

        Assert.Same(first, second);
        Assert.Single(pipeline.Fake.Requests, r => r.Path == "/v1/describe/Account");
        Assert.Equal(ColumnType.Decimal(28, 9), first.Columns[first.IndexOf("balance")].Type);
        Assert.DoesNotContain(first.Columns, c => c.Name == "rolloverbalance");
    }

    [Fact]
    public async Task DescribeAsync_NameNotInCatalog_ThrowsUnknownObject()
    {
        await using var pipeline = await ZuoraPipeline.StartAsync(Sample());

        await Assert.ThrowsAsync<UnknownObjectException>(async () => await pipeline.Source.DescribeAsync("Account", CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_IncrementalWindow_YieldsDeletedRecordsWithOnlyKeyAndTime()
    {
        var tenant = Sample();
        var contact = tenant.Records("Contact")[0];
        var deletedAt = ZuoraPipeline.T0.AddMinutes(-30);
        tenant.Delete("Contact", contact.Id, deletedAt);
        await using var pipeline = await ZuoraPipeline.StartAsync(tenant);
        var schema = await pipeline.Source.DescribeAsync("contact", CancellationToken.None);

        var rows = await ReadAllAsync(pipeline.Source, "contact", new SyncWindow(ZuoraPipeline.T0.AddHours(-1), ZuoraPipeline.T0));

        var deleted = Assert.Single(rows, r => r.Deleted);
        Assert.Equal(contact.Id, deleted.Values[schema.IndexOf("id")]);
        Assert.Equal(deletedAt, deleted.Values[schema.IndexOf("updateddate")]);
        Assert.Equal(2, deleted.Values.Count(v => v is not null));
    }

    [Fact]
    public async Task ReadAsync_MultiEntityTenant_EveryRequestCarriesTheEntityId()
    {
        const string entity = "8a8aa0d3762d2a4d0176327ff7df6b5c";
        var tenant = Sample();
        tenant.Delete("Contact", tenant.Records("Contact")[0].Id, ZuoraPipeline.T0.AddMinutes(-30));
        await using var fake = await FakeZuora.StartAsync(tenant, new FakeZuoraOptions { EntityId = entity, TimeProvider = new ImmediateTimeProvider(ZuoraPipeline.T0) });
        using var source = new ZuoraSource(new ZuoraOptions { BaseUrl = fake.Url }, new ZuoraCredentials("test-client", "test-secret") { EntityIds = entity }, new ImmediateTimeProvider(ZuoraPipeline.T0));

        var rows = await ReadAllAsync(source, "contact", new SyncWindow(ZuoraPipeline.T0.AddHours(-1), ZuoraPipeline.T0));

        Assert.Single(rows, r => r.Deleted);
        // Every call to Zuora, the token included; the pre-signed result download goes to S3, not Zuora.
        Assert.All(fake.Requests.Where(r => !r.Path.StartsWith("/dq-results/", StringComparison.Ordinal)), r => Assert.Equal(entity, r.EntityIds));
        Assert.Null(Assert.Single(fake.Requests, r => r.Path.StartsWith("/dq-results/", StringComparison.Ordinal)).EntityIds);
    }

    [Fact]
    public async Task ReadAsync_MultiEntityTenantWithoutEntityId_FailsWithZuorasReason()
    {
        await using var fake = await FakeZuora.StartAsync(Sample(), new FakeZuoraOptions { EntityId = "e1" });
        using var source = new ZuoraSource(new ZuoraOptions { BaseUrl = fake.Url }, new ZuoraCredentials("test-client", "test-secret"), new ImmediateTimeProvider(ZuoraPipeline.T0));

        var error = await Assert.ThrowsAsync<ZuoraApiException>(async () => await source.DescribeAsync("account", CancellationToken.None));

        Assert.Contains("Zuora-Entity-Ids", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_WrongSecret_ThrowsAuthenticationErrorWithoutTheSecret()
    {
        await using var fake = await FakeZuora.StartAsync(Sample());
        using var source = new ZuoraSource(new ZuoraOptions { BaseUrl = fake.Url }, new ZuoraCredentials("test-client", "wrong-secret-xyz"), new ImmediateTimeProvider(ZuoraPipeline.T0));

        var error = await Assert.ThrowsAsync<ZuoraAuthenticationException>(async () => await source.DescribeAsync("account", CancellationToken.None));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid_client", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-xyz", error.Message, StringComparison.Ordinal);
        Assert.Equal("/oauth/token", Assert.Single(fake.Requests).Path);
    }
}
