using System.Text.Json;

namespace ServerlessSync.Sources.Files;

/// <summary>Column positions by name, looked up from a JSON property name without allocating a string.</summary>
internal sealed class ColumnNames
{
    /// <summary>Chars of a property name decoded without allocating; longer names are allocated.</summary>
    public const int BufferLength = 128;

    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public ColumnNames() => _lookup = _positions.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _positions.Count;

    /// <summary>The position of <paramref name="name"/>, or -1.</summary>
    public int Find(ReadOnlySpan<char> name) => _lookup.TryGetValue(name, out var position) ? position : -1;

    /// <summary>Adds <paramref name="name"/> at the next position and returns it.</summary>
    public int Add(string name)
    {
        var position = _positions.Count;
        _positions.Add(name, position);
        return position;
    }

    /// <summary>The current property name (the reader stands on a <see cref="JsonTokenType.PropertyName"/>).</summary>
    public static ReadOnlySpan<char> PropertyName(ref Utf8JsonReader reader, Span<char> buffer) => JsonValues.Chars(ref reader, buffer);
}
