using Amazon.Runtime;
using ServerlessSync.Aws.SecretsManager;
using ServerlessSync.Zuora;

namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// The container's Zuora source: built on first use from the OAuth client's credentials in the
/// <see cref="FunctionSettings.SourceSecretArn"/> secret, and kept (with its cached token) for later invocations. The
/// secret is read again when <see cref="SecretMaxAge"/> has passed, so a rotated client secret takes effect without
/// a new container; the source is replaced only when the credentials changed. A passing failure to read the secret again
/// keeps the credentials already read. Lambda runs one invocation per container at a time, so a replaced source is
/// no longer in use when it is disposed.
/// </summary>
public sealed class ZuoraSourceHolder : IDisposable
{
    public static readonly TimeSpan SecretMaxAge = TimeSpan.FromMinutes(10);

    private readonly FunctionSettings _settings;
    private readonly ZuoraOptions _options;
    private readonly AWSCredentials _awsCredentials;
    private readonly TimeProvider _clock;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ZuoraSource? _source;
    private ZuoraCredentials? _credentials;
    private DateTimeOffset _readAt;

    public ZuoraSourceHolder(FunctionSettings settings, AWSCredentials awsCredentials, TimeProvider clock, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _awsCredentials = awsCredentials;
        _clock = clock;
        _log = log;
        _options = settings.ZuoraOptions();
    }

    /// <summary>The source; throws <see cref="SecretReadException"/> or <see cref="FunctionSettingsException"/> naming the secret when its value is unusable.</summary>
    public async Task<ZuoraSource> GetAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_source is not null && _clock.GetUtcNow() - _readAt < SecretMaxAge)
            {
                return _source;
            }

            ZuoraCredentials credentials;
            try
            {
                credentials = await ReadCredentialsAsync(cancellationToken);
            }
            catch (SecretReadException e) when (_source is not null && e.ErrorCode is not ("ResourceNotFoundException" or "AccessDeniedException"))
            {
                // A passing failure (throttling, the network): the credentials read before still work.
                _log($"reading the secret again failed ({e.Message}); going on with the credentials read at {_readAt:u}");
                return _source;
            }

            _readAt = _clock.GetUtcNow();
            if (_source is null || credentials != _credentials)
            {
                _source?.Dispose();
                _source = new ZuoraSource(_options, credentials, _clock, log: _log);
                _credentials = credentials;
            }

            return _source;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _source?.Dispose();
        _gate.Dispose();
    }

    private async Task<ZuoraCredentials> ReadCredentialsAsync(CancellationToken cancellationToken)
    {
        var arn = _settings.SourceSecretArn!;
        using var secrets = ServiceClients.SecretsManager(_awsCredentials, arn, _settings.SecretsManagerEndpoint);
        var value = await secrets.GetSecretStringAsync(arn, cancellationToken);
        try
        {
            return ZuoraCredentials.FromJson(value);
        }
        catch (FormatException e)
        {
            throw new FunctionSettingsException("SOURCE_SECRET_ARN", $"the secret {arn} does not hold Zuora credentials: {e.Message}");
        }
    }
}
