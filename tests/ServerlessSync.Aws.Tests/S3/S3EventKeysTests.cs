using System.Net;
using ServerlessSync.Aws.S3;

namespace ServerlessSync.Aws.Tests.S3;

public class S3EventKeysTests
{
    [Theory]
    [InlineData("runs/default/r1/my+object/a%2Bb.csv.gz", "runs/default/r1/my object/a+b.csv.gz")]
    [InlineData("runs/default/r1/account/account.manifest.json", "runs/default/r1/account/account.manifest.json")]
    [InlineData("runs/default/r1/caf%C3%A9/%E2%82%AC+%F0%9F%98%80.csv.gz", "runs/default/r1/café/€ 😀.csv.gz")]
    [InlineData("runs/default/r1/100%25/part-00000.csv.gz", "runs/default/r1/100%/part-00000.csv.gz")]
    [InlineData("a%2541", "a%41")]
    [InlineData("a%252B", "a%2B")]
    [InlineData("++%2B%2B", "  ++")]
    [InlineData("runs%2Fdefault", "runs/default")]
    [InlineData("", "")]
    public void Decode_EventKey_IsTheObjectKey(string eventKey, string expected)
    {
        Assert.Equal(expected, S3EventKeys.Decode(eventKey));
    }

    [Theory]
    [InlineData("runs/default/r 1/obj ect/part-00000.csv.gz")]
    [InlineData("runs/default/r1/a+b=c&d/x.manifest.json")]
    [InlineData("runs/default/r1/%41%/Zürich ñ 日本 🚀/part-00001.csv.gz")]
    [InlineData("runs/default/r1/~!*'();:@$,?#[]/x")]
    public void Decode_FormEncodedKey_RoundTrips(string key)
    {
        // S3 encodes event keys as HTML forms do: '+' for space, UTF-8 percent escapes for the rest.
        Assert.Equal(key, S3EventKeys.Decode(WebUtility.UrlEncode(key)));
    }
}
