namespace ServerlessSync.Zuora.Http;

/// <summary>
/// A read-only stream over a response body where each asynchronous read must return within <paramref name="timeout"/>
/// by <paramref name="time"/>; one that does not throws <see cref="ZuoraApiException"/> naming <paramref name="call"/>.
/// HttpClient's own timeout ends with the response headers, so a body that stops arriving would otherwise hang the read.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan timeout, TimeProvider time, string call) : ReadOnlyStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = new CancellationTokenSource(timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        try
        {
            return await inner.ReadAsync(buffer, either.Token);
        }
        catch (OperationCanceledException e) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ZuoraApiException($"{call}: no data arrived for {timeout.TotalSeconds:0.###} s while reading the body", null, null, e);
        }
    }

    /// <summary>Synchronous reads are not timed (the source reads asynchronously).</summary>
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
