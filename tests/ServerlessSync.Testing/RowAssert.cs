namespace ServerlessSync.Testing;

/// <summary>Compares values read back from a destination with the values a source yielded, exactly.</summary>
public static class RowAssert
{
    /// <summary>
    /// Same CLR type and value; strings ordinal; timestamps the same instant (UTC ticks) and read back in UTC;
    /// decimals by value and scale (<c>1.50</c> is not <c>1.5</c>).
    /// </summary>
    public static void SameValue(object? expected, object? actual, string where)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{where}: expected NULL, got '{actual}'");
            return;
        }

        Assert.True(actual is not null, $"{where}: expected '{expected}', got NULL");
        Assert.True(expected.GetType() == actual.GetType(), $"{where}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");
        switch (expected)
        {
            case string s:
                Assert.True(string.Equals(s, (string)actual, StringComparison.Ordinal), $"{where}: text differs (length {s.Length} vs {((string)actual).Length})");
                break;
            case DateTimeOffset ts:
                var got = (DateTimeOffset)actual;
                Assert.True(ts.UtcTicks == got.UtcTicks, $"{where}: expected {ts:O}, got {got:O}");
                Assert.True(got.Offset == TimeSpan.Zero, $"{where}: offset {got.Offset}");
                break;
            default:
                Assert.True(Equals(expected, actual), $"{where}: expected '{expected}', got '{actual}'");
                break;
        }
    }

    /// <summary>Every expected row is there, by id (column 0), value by value; and nothing else is.</summary>
    public static void SameRows(IReadOnlyList<object?[]> expected, IReadOnlyList<object?[]> actual, IReadOnlyList<string> columnNames)
    {
        Assert.Equal(expected.Count, actual.Count);
        var byId = actual.ToDictionary(r => (string)r[0]!, StringComparer.Ordinal);
        foreach (var row in expected)
        {
            var id = (string)row[0]!;
            Assert.True(byId.TryGetValue(id, out var got), $"row {id} is missing");
            Assert.Equal(columnNames.Count, got.Length);
            for (var c = 0; c < columnNames.Count; c++)
            {
                SameValue(row[c], got[c], $"{id}.{columnNames[c]}");
            }
        }
    }
}
