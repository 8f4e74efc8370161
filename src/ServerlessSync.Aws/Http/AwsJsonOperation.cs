using System.Text.Json.Serialization.Metadata;

namespace ServerlessSync.Aws.Http;

/// <summary>One operation of an awsJson service: its wire name and how its input and output are (de)serialised.</summary>
internal interface IAwsJsonOperation
{
    string Name { get; }

    JsonTypeInfo RequestInfo { get; }

    JsonTypeInfo ResponseInfo { get; }
}

/// <inheritdoc cref="IAwsJsonOperation"/>
internal sealed record AwsJsonOperation<TRequest, TResponse>(string Name, JsonTypeInfo<TRequest> Request, JsonTypeInfo<TResponse> Response) : IAwsJsonOperation
{
    JsonTypeInfo IAwsJsonOperation.RequestInfo => Request;

    JsonTypeInfo IAwsJsonOperation.ResponseInfo => Response;
}
