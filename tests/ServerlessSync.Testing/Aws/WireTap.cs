using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace ServerlessSync.Testing.Aws;

/// <summary>One request as an SDK client puts it on the wire: signed, with its checksum headers, just before the HTTP transport.</summary>
/// <param name="Service">the signing name (<c>s3</c>, <c>dynamodb</c>, <c>sts</c>)</param>
/// <param name="Request">the request object the caller built (its type names the operation)</param>
/// <param name="Headers">every header sent, names compared case-insensitively</param>
public sealed record WireRequest(string Service, AmazonWebServiceRequest Request, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// A handler for an SDK client's pipeline, placed right after the signer: it sees each attempt of each request as it
/// is sent. Install it from a client's <c>CustomizeRuntimePipeline</c>, or for every client through
/// <see cref="RuntimePipelineCustomizerRegistry"/>.
/// </summary>
public sealed class WireTap : PipelineHandler
{
    private readonly Action<WireRequest> _onRequest;

    private WireTap(Action<WireRequest> onRequest) => _onRequest = onRequest;

    /// <summary>Adds a tap calling <paramref name="onRequest"/> to <paramref name="pipeline"/>.</summary>
    public static void Install(RuntimePipeline pipeline, Action<WireRequest> onRequest)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(onRequest);
        pipeline.AddHandlerAfter<Signer>(new WireTap(onRequest));
    }

    public override void InvokeSync(IExecutionContext executionContext)
    {
        Record(executionContext);
        base.InvokeSync(executionContext);
    }

    public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        Record(executionContext);
        return base.InvokeAsync<T>(executionContext);
    }

    private void Record(IExecutionContext executionContext)
    {
        var context = executionContext.RequestContext;
        var request = context.Request;
        _onRequest(new WireRequest(
            context.ClientConfig.AuthenticationServiceName ?? request.ServiceName,
            context.OriginalRequest,
            new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase)));
    }
}
