using ServerlessSync.Core.Sql;

namespace ServerlessSync.Core.Tests.Sql;

public class DestinationSchemaNameTests
{
    [Theory]
    [InlineData("zuora")]
    [InlineData("public")]
    [InlineData("_staging")]
    [InlineData("billing_2026$")]
    public void Problem_LowerCaseName_IsNone(string name) => Assert.Null(DestinationSchemaName.Problem(name));

    [Fact]
    public void Problem_Capitals_SaysRedshiftFoldsThemAndWhatToWrite()
    {
        var problem = DestinationSchemaName.Problem("Zuora");

        Assert.Contains("folds names to lower case", problem, StringComparison.Ordinal);
        Assert.Contains("'zuora'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1st")]
    [InlineData("my schema")]
    [InlineData("zuora\"; drop")]
    public void Problem_NotAName_SaysTheRule(string name) => Assert.NotNull(DestinationSchemaName.Problem(name));

    [Fact]
    public void Problem_128Characters_IsTooLong() => Assert.NotNull(DestinationSchemaName.Problem(new string('a', 128)));
}
