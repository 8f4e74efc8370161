using System.Text.Json.Serialization;

namespace ServerlessSync.Embedded.Sqlite;

/// <summary>The JSON the status file holds: a connector's selected objects, as an array of names.</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
