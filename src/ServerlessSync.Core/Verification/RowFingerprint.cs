using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Core.Verification;

/// <summary>
/// An order-independent fingerprint of a set of rows: the row count and the sum (mod 2^128, as two 64-bit
/// lanes) of each row's SHA-256 over its canonical text (the staged CSV form of its values). Equal
/// multisets of rows give equal fingerprints whatever their order; one changed value changes it. Decimals
/// are written at their column's scale, so 10.5 from a source and 10.50 from a decimal(18,2) column agree.
/// </summary>
public sealed class RowFingerprint(ObjectSchema schema)
{
    private readonly StringBuilder _line = new(256);
    private readonly string?[] _decimalFormats = [.. schema.Columns.Select(c => c.Type.Kind == ColumnKind.Decimal ? $"F{c.Type.Scale}" : null)];
    private ulong _low;
    private ulong _high;

    public long Count { get; private set; }

    public string Checksum => $"{_high:x16}{_low:x16}";

    public void Add(object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _line.Clear();
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            if (values[i] is decimal d && _decimalFormats[i] is { } format)
            {
                _line.Append(d.ToString(format, CultureInfo.InvariantCulture));
            }
            else
            {
                CsvFormat.AppendValue(_line, schema.Columns[i], values[i], CsvFormat.LegacyNullMarker);
            }

            _line.Append(CsvFormat.Delimiter);
        }

        Span<byte> hash = stackalloc byte[32];
        var text = _line.ToString();
        var byteCount = Encoding.UTF8.GetByteCount(text);
        var bytes = byteCount <= 1024 ? stackalloc byte[1024] : new byte[byteCount];
        var length = Encoding.UTF8.GetBytes(text, bytes);
        SHA256.HashData(bytes[..length], hash);
        var low = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        var high = BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]);
        var sum = _low + low;
        _high += high + (sum < _low ? 1UL : 0UL);
        _low = sum;
        Count++;
    }
}
