namespace ServerlessSync.Aws.S3;

/// <summary>Object keys as S3 event notifications carry them.</summary>
public static class S3EventKeys
{
    /// <summary>
    /// Decodes a key from an S3 event notification's <c>s3.object.key</c>: form-URL-encoded, so <c>+</c> is a
    /// space, a literal plus arrives as <c>%2B</c>, and other bytes are percent-encoded UTF-8
    /// (<c>runs/default/r1/my+object/a%2Bb.csv.gz</c> is <c>runs/default/r1/my object/a+b.csv.gz</c>).
    /// Each escape is decoded once (<c>%2541</c> is <c>%41</c>); an escape that is not valid UTF-8 stays as written.
    /// </summary>
    public static string Decode(string eventKey)
    {
        ArgumentNullException.ThrowIfNull(eventKey);

        // '+' first: a plus in the key itself is %2B, which the unescaping below turns into '+' afterwards.
        return Uri.UnescapeDataString(eventKey.Replace('+', ' '));
    }
}
