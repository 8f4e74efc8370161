using System.Text.Json.Serialization;
using ServerlessSync.Core.Status;

namespace ServerlessSync.Functions.Api;

/// <summary>
/// Source-generated JSON for the status API: the HTTP API v2 request and response, the bodies it answers with (the
/// status read model as it is, camelCase, enums by name) and the execution input of a run it starts.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
[JsonSerializable(typeof(ApiErrorBody))]
[JsonSerializable(typeof(StartRunBody))]
[JsonSerializable(typeof(RunStartedBody))]
[JsonSerializable(typeof(RunExecutionInput))]
[JsonSerializable(typeof(ConnectorView))]
[JsonSerializable(typeof(RunsPageView))]
[JsonSerializable(typeof(RunView))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
