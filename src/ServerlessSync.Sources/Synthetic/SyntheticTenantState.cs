using System.Text.Json.Serialization;

namespace ServerlessSync.Sources.Synthetic;

/// <summary>
/// The tenant's state file. Everything else follows from it: the rows are derived, never stored.
/// The tenant clock reads <c>Epochs[^1].End + (base clock now − ClockSetAt)</c>.
/// </summary>
/// <param name="FormatVersion">1.</param>
/// <param name="Seed">Seeds every row.</param>
/// <param name="Scale">About how many rows the tenant had when created.</param>
/// <param name="CreatedAt">T0, whole seconds: the end of epoch 0.</param>
/// <param name="ClockSetAt">The base clock's reading when the tenant clock was last set (creation or advance).</param>
/// <param name="Epochs">Epoch 0 (the year before T0) and one per advance.</param>
internal sealed record SyntheticTenantState(
    int FormatVersion,
    ulong Seed,
    int Scale,
    DateTimeOffset CreatedAt,
    DateTimeOffset ClockSetAt,
    IReadOnlyList<SyntheticEpochState> Epochs);

internal sealed record SyntheticEpochState(DateTimeOffset Start, DateTimeOffset End);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SyntheticTenantState))]
internal sealed partial class SyntheticTenantStateContext : JsonSerializerContext;
