using System.Text.Json.Serialization;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Aws.Doctor;

/// <summary>Source-generated JSON for the doctor's report (<c>--json</c>) and the requests it sends itself.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(int))]
public sealed partial class DoctorJsonContext : JsonSerializerContext;
