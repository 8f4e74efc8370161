using System.Text.Json.Serialization;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// Source-generated JSON for the status API: the HTTP API v2 request and response and the execution input of a run it
/// starts. The API's bodies are Core's (<c>StatusApiJsonContext</c>, <c>StatusJsonContext</c>), shared with the CLI's <c>serve</c>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
[JsonSerializable(typeof(RunExecutionInput))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
