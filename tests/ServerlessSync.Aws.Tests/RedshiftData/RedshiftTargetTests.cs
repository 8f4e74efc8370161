using ServerlessSync.Aws.RedshiftData;

namespace ServerlessSync.Aws.Tests.RedshiftData;

public sealed class RedshiftTargetTests
{
    [Fact]
    public void ProvisionedCluster_HasClusterDatabaseAndUser()
    {
        var target = RedshiftTarget.From("analytics", "dev", "loader", workgroupName: " ");

        Assert.Equal(("analytics", "dev", "loader", (string?)null), (target.ClusterIdentifier, target.Database, target.DbUser, target.WorkgroupName));
        Assert.False(target.IsServerless);
    }

    [Fact]
    public void Serverless_HasWorkgroupAndDatabase()
    {
        var target = RedshiftTarget.From(null, "dev", "", "sync-wg");

        Assert.Equal(((string?)null, "dev", (string?)null, "sync-wg"), (target.ClusterIdentifier, target.Database, target.DbUser, target.WorkgroupName));
        Assert.True(target.IsServerless);
    }

    [Theory]
    [InlineData("analytics", "dev", null, null, "DbUser is missing", "dbUser")]
    [InlineData("analytics", null, "loader", null, "Database is missing", "database")]
    [InlineData(null, null, null, "sync-wg", "Database is missing", "database")]
    [InlineData(null, "dev", null, null, "ClusterIdentifier and WorkgroupName are both missing", "clusterIdentifier")]
    [InlineData("analytics", "dev", "loader", "sync-wg", "both ClusterIdentifier ('analytics') and WorkgroupName ('sync-wg') are set", "workgroupName")]
    [InlineData(null, "dev", "loader", "sync-wg", "DbUser ('loader') does not apply to a Serverless workgroup", "dbUser")]
    [InlineData(null, "dev", null, "wg", "WorkgroupName is 2 characters", "workgroupName")]
    public void From_NotExactlyOneForm_SaysWhichMember(string? cluster, string? database, string? dbUser, string? workgroup, string expected, string parameter)
    {
        var error = Assert.Throws<ArgumentException>(() => RedshiftTarget.From(cluster, database, dbUser, workgroup));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(parameter, error.ParamName);
    }
}
