using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Amazon;
using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.StepFunctions;

namespace ServerlessSync.Aws.Tests.Http;

/// <summary>Builders for the clients under test, pointed at a <see cref="RecordingEndpoint"/>.</summary>
public static class TestAws
{
    public const string AccessKey = "AKIDEXAMPLE";
    public static readonly BasicAWSCredentials Credentials = new(AccessKey, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    public static readonly RegionEndpoint Region = RegionEndpoint.EUWest1;

    /// <summary>Retries with a fixed jitter of one half, so delays are 100 ms, 200 ms, 400 ms, … .</summary>
    public static AwsRetryPolicy Retry(int maxAttempts = 4) => new()
    {
        MaxAttempts = maxAttempts,
        BaseDelay = TimeSpan.FromMilliseconds(200),
        MaxDelay = TimeSpan.FromSeconds(5),
        Random = new FixedRandom(0.5),
    };

    public static AwsClientOptions Options(Uri url, TimeProvider time, AwsRetryPolicy? retry = null) =>
        new(Credentials, Region) { ServiceUrl = url, TimeProvider = time, Retry = retry ?? Retry() };

    public static RedshiftDataClient RedshiftData(RecordingEndpoint endpoint, TimeProvider? time = null, AwsRetryPolicy? retry = null) =>
        new(Options(endpoint.Url, time ?? new ObservedTimeProvider(), retry));

    public static StepFunctionsClient StepFunctions(RecordingEndpoint endpoint, TimeProvider? time = null, AwsRetryPolicy? retry = null) =>
        new(Options(endpoint.Url, time ?? new ObservedTimeProvider(), retry));

    /// <summary>A loopback URL nothing listens on: connecting fails at once with "connection refused".</summary>
    public static Uri ClosedPortUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}

/// <summary>A jitter source that always draws the same number.</summary>
public sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;
}

/// <summary>
/// A FakeTimeProvider that reports each timer created on it (a retry backoff, a poll interval), so a test
/// can wait until the code under test is waiting, then advance the clock by exactly that delay.
/// </summary>
public sealed class ObservedTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public ObservedTimeProvider() : base(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>
    /// Advances the clock past each delay <paramref name="operation"/> starts (exactly by the delay asked
    /// for) until it completes, and returns the delays in order. It does not observe the operation's
    /// outcome: await it afterwards. No real time passes; the bound only stops a broken test from hanging.
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan>> AdvanceUntilCompletedAsync(Task operation)
    {
        var delays = new List<TimeSpan>();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!operation.IsCompleted)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
            var next = _timers.Reader.ReadAsync(stop.Token).AsTask();
            await Task.WhenAny(operation, next);
            if (!next.IsCompleted)
            {
                await stop.CancelAsync();
            }

            try
            {
                var due = await next;
                delays.Add(due);
                Advance(due);
            }
            catch (OperationCanceledException) when (operation.IsCompleted)
            {
            }
        }

        return delays;
    }

    /// <summary>Waits until the code under test starts a delay and returns it, without advancing the clock.</summary>
    public async Task<TimeSpan> NextDelayAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _timers.Reader.ReadAsync(guard.Token);
    }
}
