using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using ServerlessSync.Core.Ports;
using ServerlessSync.Core.Staging;

namespace ServerlessSync.Functions.Tests.Workflow;

/// <summary>
/// Plays a hostile value reaching the warehouse: before the load of <paramref name="objectName"/>'s manifest is
/// triggered, the second record of its first part gets, in <paramref name="column"/>, a string one byte longer than
/// Redshift's widest VARCHAR (65,535), and the manifest is rewritten to match the part (size and hash), so the load's
/// checks pass and COPY is what fails. Only the first manifest of that object is touched.
/// </summary>
internal sealed class TooLongValueInPart(IStagingStore staging, string objectName, string column)
{
    public const int Length = 65_536;

    public string? PartKey { get; private set; }

    public string? ManifestKey { get; private set; }

    public async Task BeforeManifestEventAsync(string manifestKey)
    {
        var manifest = await StagedManifests.ReadAsync(staging, manifestKey, CancellationToken.None);
        if (ManifestKey is not null || manifest.ObjectName != objectName)
        {
            return;
        }

        ManifestKey = manifestKey;
        var part = manifest.Parts[0];
        PartKey = part.Key;
        var index = manifest.Columns.Select(c => c.Name).ToList().IndexOf(column);
        if (index < 0)
        {
            throw new ArgumentException($"{objectName} has no column {column}");
        }

        List<IReadOnlyList<(string Field, bool Quoted)>> records;
        await using (var read = await staging.OpenReadAsync(part.Key, CancellationToken.None))
        await using (var gzip = new GZipStream(read, CompressionMode.Decompress))
        using (var text = new StreamReader(gzip, Encoding.UTF8))
        {
            records = [.. CsvFormat.ReadRecords(text)];
        }

        var csv = new StringBuilder();
        for (var r = 0; r < records.Count; r++)
        {
            for (var f = 0; f < records[r].Count; f++)
            {
                if (f > 0)
                {
                    csv.Append(',');
                }

                var (field, quoted) = records[r][f];
                if (r == 1 && f == index)
                {
                    CsvFormat.AppendQuoted(csv, new string('x', Length));
                }
                else if (quoted)
                {
                    CsvFormat.AppendQuoted(csv, field);
                }
                else
                {
                    csv.Append(field);
                }
            }

            csv.Append('\n');
        }

        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(csv.ToString()));
        }

        var bytes = buffer.ToArray();
        await WriteAsync(part.Key, bytes);
        var rewritten = manifest with
        {
            Parts = [part with { Bytes = bytes.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) }, .. manifest.Parts.Skip(1)],
        };
        await WriteAsync(manifestKey, rewritten.ToJson());
    }

    private async Task WriteAsync(string key, byte[] bytes)
    {
        await using var writer = await staging.OpenWriteAsync(key, CancellationToken.None);
        await writer.Body.WriteAsync(bytes);
        await writer.CommitAsync(CancellationToken.None);
    }
}
