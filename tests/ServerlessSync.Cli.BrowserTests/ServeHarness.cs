using System.Runtime.CompilerServices;
using System.Text;
using Amazon.Runtime;

namespace ServerlessSync.Cli.BrowserTests;

/// <summary>
/// The real CLI's <c>serve</c>, run in-process on a temporary home (or with <c>--api</c>) until disposed, which stops it
/// as Ctrl-C does. <see cref="Url"/> is the address it printed.
/// </summary>
internal sealed class ServeHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SignallingWriter _output = new();
    private readonly SignallingWriter _error = new();
    private Task<int> _run = Task.FromResult(0);

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "ssync-serve-" + Guid.NewGuid().ToString("N"));

    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    public string Error => _error.ToString();

    /// <summary>Runs another CLI command on the same home (to prepare it), with the system clock.</summary>
    public async Task<(int Code, string Output, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--home", Home], output, error, TimeProvider.System, interactive: false);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Starts <c>serve</c> with <paramref name="args"/> and waits until it printed its URL.</summary>
    public async Task StartAsync(string[] args, Func<ServerlessSync.Core.Ports.ISource, ServerlessSync.Core.Ports.ISource>? wrapSource = null, AWSCredentials? credentials = null)
    {
        _run = Task.Run(() => CliApp.RunAsync(["serve", .. args, "--home", Home], _output, _error, TimeProvider.System, interactive: false, _stop.Token, name => null, credentials, wrapSource));
        var printed = _output.LineWith("http://");
        if (await Task.WhenAny(printed, _run).WaitAsync(TimeSpan.FromSeconds(30)) != printed)
        {
            throw new InvalidOperationException($"serve ended before it printed its URL: exit {await _run}, {_error}");
        }

        var line = await printed;
        var start = line.IndexOf("http://", StringComparison.Ordinal);
        Url = new Uri(line[start..].Split(' ')[0]);
    }

    /// <summary>Stops serve as Ctrl-C does and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await _run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never created.
        }
    }

    /// <summary>Collects what is written and completes a task when a line holding a given text is written.</summary>
    private sealed class SignallingWriter : TextWriter
    {
        private readonly StringBuilder _text = new();
        private readonly List<(string Text, TaskCompletionSource<string> Seen)> _waits = [];

        public override Encoding Encoding => Encoding.UTF8;

        public Task<string> LineWith(string text)
        {
            lock (_text)
            {
                if (_text.ToString().Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
                {
                    return Task.FromResult(line);
                }

                var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((text, seen));
                return seen.Task;
            }
        }

        public override void Write(char value) => Write(value.ToString());

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
                var lines = _text.ToString().Split('\n');
                foreach (var wait in _waits.ToList())
                {
                    if (lines.FirstOrDefault(l => l.Contains(wait.Text, StringComparison.Ordinal)) is { } line)
                    {
                        wait.Seen.TrySetResult(line.TrimEnd('\r'));
                        _waits.Remove(wait);
                    }
                }
            }
        }

        public override void WriteLine(string? value) => Write(value + "\n");

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }
}

/// <summary>
/// A source whose reads wait at a gate after <c>rowsBeforeGate</c> rows: a sync holds in its first object until the test opens the gate, so a
/// state the page shows while a sync runs stays for as long as the test looks at it. <see cref="Gate.Reached"/> completes
/// when a read is waiting.
/// </summary>
internal sealed class GatedSource(ServerlessSync.Core.Ports.ISource inner, Gate gate, int rowsBeforeGate = 0) : ServerlessSync.Core.Ports.ISource
{
    public string Name => inner.Name;

    public IReadOnlyList<string> Objects => inner.Objects;

    public ValueTask<ServerlessSync.Core.Model.ObjectSchema> DescribeAsync(string objectName, CancellationToken cancellationToken) => inner.DescribeAsync(objectName, cancellationToken);

    public async IAsyncEnumerable<ServerlessSync.Core.Model.SourceRow> ReadAsync(ServerlessSync.Core.Model.ObjectSchema schema, ServerlessSync.Core.Model.SyncWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = 0;
        await foreach (var row in inner.ReadAsync(schema, window, cancellationToken))
        {
            if (rows++ == rowsBeforeGate)
            {
                await gate.PassAsync(cancellationToken);
            }

            yield return row;
        }
    }
}

/// <summary>Closed until <see cref="Open"/>; <see cref="Gate.Reached"/> completes when something waits at it.</summary>
internal sealed class Gate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => _reached.Task;

    public void Open() => _open.TrySetResult();

    public async Task PassAsync(CancellationToken cancellationToken)
    {
        _reached.TrySetResult();
        await _open.Task.WaitAsync(cancellationToken);
    }
}
