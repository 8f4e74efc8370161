using System.Text;
using ServerlessSync.Aws.StepFunctions;

namespace ServerlessSync.Aws.Tests.StepFunctions;

public sealed class Utf8TruncationTests
{
    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("exactly-10", 10, "exactly-10")]
    [InlineData("abcdefghijk", 10, "abcdefg…")]
    [InlineData("abcdef😀xyz", 10, "abcdef…")]
    [InlineData("abcdefg😀xyz", 12, "abcdefg…")]
    [InlineData("abcde😀xyzw", 12, "abcde😀…")]
    [InlineData("ééééééé", 10, "ééé…")]
    [InlineData("abcd", 2, "")]
    public void Truncate_CutsOnWholeCharactersWithinTheByteBudget(string value, int maxBytes, string expected)
    {
        var result = Utf8Truncation.Truncate(value, maxBytes);

        Assert.Equal(expected, result);
        Assert.True(Encoding.UTF8.GetByteCount(result) <= maxBytes);
        Assert.False(result.Length > 0 && char.IsHighSurrogate(result[^1]));
    }

    [Fact]
    public void Truncate_NeverSplitsASurrogatePairAtAnyBudget()
    {
        var value = string.Concat(Enumerable.Repeat("a😀bé", 20));
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);

        for (var budget = 0; budget <= strict.GetByteCount(value) + 1; budget++)
        {
            var result = Utf8Truncation.Truncate(value, budget);
            Assert.True(strict.GetByteCount(result) <= budget, $"budget {budget}: {result}");
        }
    }
}
