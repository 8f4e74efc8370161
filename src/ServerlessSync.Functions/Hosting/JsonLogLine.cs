using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// The functions' structured log format, shared by <see cref="FunctionLog"/> and the status API's request log: each
/// entry is one JSON line on the output (stdout in Lambda, which goes to CloudWatch Logs) starting with <c>time</c>
/// (UTC, to the millisecond), <c>level</c> and <c>function</c>, then the entry's own members; members without a value
/// are left out. Lines are written whole, one at a time, whichever log writes them.
/// </summary>
internal static class JsonLogLine
{
    private static readonly Lock OutputGate = new();

    /// <summary>Writes one entry: <c>time</c> from <paramref name="time"/>, <paramref name="level"/>, <paramref name="function"/>, then what <paramref name="members"/> writes.</summary>
    public static void Write(TextWriter output, TimeProvider time, string level, string function, Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", level);
            json.WriteString("function", function);
            members(json);
            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (OutputGate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary>Writes the member when it has a value.</summary>
    public static void WriteIfSet(this Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>An entry's <c>error</c>: the exception's type name and message.</summary>
    public static string ErrorText(Exception error) => $"{error.GetType().Name}: {error.Message}";
}
