namespace ServerlessSync.Aws.Http;

/// <summary>
/// Handlers every one of the project's own clients (<see cref="RedshiftData.RedshiftDataClient"/>,
/// <see cref="StepFunctions.StepFunctionsClient"/>, <see cref="SecretsManager.SecretsManagerClient"/>) runs between
/// signing and the transport: each sees every attempt as it is sent, signed. The counterpart of the SDK's
/// <c>RuntimePipelineCustomizerRegistry</c> for S3, DynamoDB and STS. Process-wide: clients built after a
/// registration use it. Production registers nothing; the tests record every AWS call a function makes with it.
/// </summary>
public static class AwsHttpPipeline
{
    private static readonly List<(string Name, Func<DelegatingHandler> Create)> Handlers = [];

    /// <summary>Adds a handler (a new one per client, from <paramref name="create"/>) under <paramref name="name"/>; a name already registered is kept as it is.</summary>
    public static void Register(string name, Func<DelegatingHandler> create)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(create);
        lock (Handlers)
        {
            if (Handlers.TrueForAll(h => h.Name != name))
            {
                Handlers.Add((name, create));
            }
        }
    }

    /// <summary><paramref name="transport"/> under the registered handlers, the first registered outermost.</summary>
    internal static HttpMessageHandler Wrap(HttpMessageHandler transport)
    {
        List<Func<DelegatingHandler>> creates;
        lock (Handlers)
        {
            creates = [.. Handlers.Select(h => h.Create)];
        }

        var inner = transport;
        for (var i = creates.Count - 1; i >= 0; i--)
        {
            var handler = creates[i]();
            handler.InnerHandler = inner;
            inner = handler;
        }

        return inner;
    }
}
