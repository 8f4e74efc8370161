using ServerlessSync.Functions.Events;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions;

/// <summary>
/// What every function class shares: the host it runs on. A class built by the Lambda runtime (public parameterless
/// constructor) uses the container's <see cref="FunctionHost.Shared"/>, built on the first invocation; tests give a host.
/// Each function declares its own handler, <c>public async Task&lt;Stream&gt; HandleAsync(Stream input)</c>.
/// </summary>
public abstract class LambdaFunction
{
    private readonly Lazy<FunctionHost> _host;

    private protected LambdaFunction(FunctionHost? host) =>
        _host = host is null ? FunctionHost.Shared : new Lazy<FunctionHost>(host);

    private protected FunctionHost Host => _host.Value;

    private protected static FunctionJsonContext Json => FunctionJsonContext.Default;
}
