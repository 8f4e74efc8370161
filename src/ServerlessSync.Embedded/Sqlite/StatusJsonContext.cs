using System.Text.Json.Serialization;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Embedded.Sqlite;

/// <summary>The JSON the status file holds: a connector's selected objects (an array of names) and a loaded manifest's outcome.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(LoadOutcome))]
[JsonSerializable(typeof(RunProgress))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
