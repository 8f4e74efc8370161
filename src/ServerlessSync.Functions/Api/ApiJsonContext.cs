using System.Text.Json.Serialization;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// Source-generated JSON for the status API: the HTTP API v2 request and response, its error and start bodies and the
/// execution input of a run it starts. The status views' bodies are Core's <c>StatusJsonContext</c>, shared with the CLI.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
[JsonSerializable(typeof(ApiErrorBody))]
[JsonSerializable(typeof(StartRunBody))]
[JsonSerializable(typeof(RunStartedBody))]
[JsonSerializable(typeof(RunExecutionInput))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
