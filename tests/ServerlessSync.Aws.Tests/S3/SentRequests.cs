using Amazon.Runtime;

namespace ServerlessSync.Aws.Tests.S3;

/// <summary>What a client sent, as the SDK hands each request to the wire: its request object and headers.</summary>
internal sealed class SentRequests
{
    private readonly List<(AmazonWebServiceRequest Request, IReadOnlyDictionary<string, string> Headers)> _sent = [];

    public SentRequests(AmazonServiceClient client) => client.BeforeRequestEvent += (_, e) =>
    {
        if (e is WebServiceRequestEventArgs args)
        {
            lock (_sent)
            {
                _sent.Add((args.Request, new Dictionary<string, string>(args.Headers, StringComparer.OrdinalIgnoreCase)));
            }
        }
    };

    public IReadOnlyList<T> Of<T>()
        where T : AmazonWebServiceRequest
    {
        lock (_sent)
        {
            return [.. _sent.Select(s => s.Request).OfType<T>()];
        }
    }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> HeadersOf<T>()
        where T : AmazonWebServiceRequest
    {
        lock (_sent)
        {
            return [.. _sent.Where(s => s.Request is T).Select(s => s.Headers)];
        }
    }
}
