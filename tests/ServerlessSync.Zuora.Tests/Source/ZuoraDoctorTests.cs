using System.Net;
using System.Net.Sockets;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Source;

public class ZuoraDoctorTests
{
    private static FakeZuoraTenant Sample() => FakeZuoraTenant.CreateSample(2, seed: 3, now: ZuoraPipeline.T0.AddMinutes(-1));

    [Fact]
    public async Task CheckAsync_GoodConnection_ReportsFieldsAndDeletesPerObject()
    {
        await using var fake = await FakeZuora.StartAsync(Sample());
        using var doctor = new ZuoraDoctor(new ZuoraOptions { BaseUrl = fake.Url }, new ZuoraCredentials("test-client", "test-secret"), new ImmediateTimeProvider(ZuoraPipeline.T0));

        var checks = await doctor.CheckAsync(["account", "invoiceitem", "rateplan", "widget"], CancellationToken.None);

        Assert.Equal(["connection", "account", "invoiceitem", "rateplan", "widget"], checks.Select(c => c.Subject));
        Assert.True(checks[0].Passed, checks[0].Message);
        Assert.True(checks[1].Passed);
        var accountFields = Sample().Fields("Account").Count(f => f.IsExportable);
        Assert.Contains($"{accountFields} exportable fields", checks[1].Message, StringComparison.Ordinal);
        Assert.Contains("Data Query", checks[1].Message, StringComparison.Ordinal);
        Assert.Contains("Data Query", checks[2].Message, StringComparison.Ordinal);
        Assert.False(checks[3].Passed);
        Assert.Contains("RatePlan", checks[3].Message, StringComparison.Ordinal);
        Assert.False(checks[4].Passed);
        Assert.Contains("product", checks[4].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_WrongSecret_SaysWhereToFixItWithoutTheSecret()
    {
        await using var fake = await FakeZuora.StartAsync(Sample());
        using var doctor = new ZuoraDoctor(new ZuoraOptions { BaseUrl = fake.Url }, new ZuoraCredentials("test-client", "not-the-secret-123"), new ImmediateTimeProvider(ZuoraPipeline.T0));

        var checks = await doctor.CheckAsync(["account"], CancellationToken.None);

        Assert.False(checks[0].Passed);
        Assert.Contains("rejected the client ID or secret", checks[0].Message, StringComparison.Ordinal);
        Assert.Contains("Settings > Administration > Manage Users", checks[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret-123", string.Join(" ", checks.Select(c => c.Message)), StringComparison.Ordinal);
        Assert.False(checks[1].Passed);
        Assert.Contains("not checked", checks[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_NothingListening_SaysItCannotReachTheHost()
    {
        var port = FreePort();
        var clock = new ImmediateTimeProvider(ZuoraPipeline.T0);
        using var doctor = new ZuoraDoctor(new ZuoraOptions { BaseUrl = new Uri($"http://127.0.0.1:{port}/"), MaxAttempts = 2 }, new ZuoraCredentials("id", "secret"), clock);

        var checks = await doctor.CheckAsync([], CancellationToken.None);

        var check = Assert.Single(checks);
        Assert.False(check.Passed);
        Assert.StartsWith($"cannot reach http://127.0.0.1:{port}", check.Message, StringComparison.Ordinal);
        Assert.Single(clock.Delays);
    }

    [Fact]
    public async Task CheckAsync_TestExportFileUnreadable_ReportsAFailedCheckInsteadOfThrowing()
    {
        await using var fake = await FakeZuora.StartAsync(Sample());
        fake.FaultNextDataQueryResult(DataQueryResultFault.InvalidUtf8);
        using var doctor = new ZuoraDoctor(new ZuoraOptions { BaseUrl = fake.Url }, new ZuoraCredentials("test-client", "test-secret"), new ImmediateTimeProvider(ZuoraPipeline.T0));

        var checks = await doctor.CheckAsync(["account"], CancellationToken.None);

        Assert.True(checks[0].Passed, checks[0].Message);
        Assert.False(checks[1].Passed);
        Assert.Contains("cannot be read", checks[1].Message, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", checks[1].Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
