using System.Text.Json.Serialization;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Aws.DynamoDb;

/// <summary>The JSON the status table holds in an attribute: a running run's progress.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RunProgress))]
internal sealed partial class StatusItemJson : JsonSerializerContext;
