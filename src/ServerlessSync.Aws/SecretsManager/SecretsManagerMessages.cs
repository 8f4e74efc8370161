using System.Text.Json.Serialization;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.SecretsManager;

/// <summary>Input of GetSecretValue: the secret's ARN or name; the current version (AWSCURRENT) is read.</summary>
internal sealed record GetSecretValueRequest([property: JsonPropertyName("SecretId")] string SecretId);

/// <summary>Output of GetSecretValue. Exactly one of <see cref="SecretString"/> and <see cref="SecretBinary"/> is set.</summary>
internal sealed record GetSecretValueResponse
{
    [JsonPropertyName("ARN")]
    public string? Arn { get; init; }

    [JsonPropertyName("Name")]
    public string? Name { get; init; }

    [JsonPropertyName("VersionId")]
    public string? VersionId { get; init; }

    [JsonPropertyName("SecretString")]
    public string? SecretString { get; init; }

    /// <summary>Base64 on the wire, decoded here.</summary>
    [JsonPropertyName("SecretBinary")]
    public byte[]? SecretBinary { get; init; }

    [JsonPropertyName("VersionStages")]
    public IReadOnlyList<string>? VersionStages { get; init; }

    [JsonPropertyName("CreatedDate")]
    public DateTimeOffset? CreatedDate { get; init; }

    /// <summary>Names the version, never the value (a record would print every member).</summary>
    public override string ToString() => $"GetSecretValueResponse {{ ARN = {Arn}, VersionId = {VersionId} }}";
}

/// <summary>Source-generated JSON for GetSecretValue: null members omitted, timestamps as epoch seconds.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = new[] { typeof(EpochSecondsConverter) })]
[JsonSerializable(typeof(GetSecretValueRequest))]
[JsonSerializable(typeof(GetSecretValueResponse))]
internal sealed partial class SecretsManagerJsonContext : JsonSerializerContext;
