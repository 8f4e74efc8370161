using System.Globalization;
using System.Text;

namespace ServerlessSync.Testing.Zuora;

/// <summary>
/// CSV as Zuora writes export and Data Query results: RFC 4180 (CRLF line ends; a field with a comma, quote, CR or LF is
/// quoted, quotes doubled), a header line, a null as an empty field. Datetimes in UTC as <c>yyyy-MM-ddTHH:mm:ss+0000</c>
/// (the form AQuA documents for <c>dateTimeUtc</c>: <c>YYYY-MM-DDThh:mm:ss±hhmm</c>), dates <c>yyyy-MM-dd</c>, numbers in
/// invariant culture, booleans <c>true</c>/<c>false</c>.
/// </summary>
public static class ZuoraCsv
{
    /// <summary>The CSV text: <paramref name="header"/>, then one line per row of values.</summary>
    public static string Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        AppendLine(text, header);
        foreach (var row in rows)
        {
            AppendLine(text, row);
        }

        return text.ToString();
    }

    /// <summary>
    /// Writes the same CSV as <see cref="Write"/> to <paramref name="destination"/> as UTF-8 (no BOM) in chunks of about
    /// 32 KiB: only one chunk and the writer's buffer are held in memory, however many rows there are.
    /// </summary>
    public static async Task WriteAsync(Stream destination, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        await using var writer = new StreamWriter(destination, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024, leaveOpen: true);
        var pending = new StringBuilder();
        AppendLine(pending, header);
        foreach (var row in rows)
        {
            AppendLine(pending, row);
            if (pending.Length >= 32 * 1024)
            {
                await writer.WriteAsync(pending, cancellationToken);
                pending.Clear();
            }
        }

        await writer.WriteAsync(pending, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>One value as a CSV field (before quoting).</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        string text => text,
        bool flag => flag ? "true" : "false",
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset instant => instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void AppendLine<T>(StringBuilder text, IReadOnlyList<T> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            var field = Format(values[i]);
            text.Append(field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field);
        }

        text.Append("\r\n");
    }
}
