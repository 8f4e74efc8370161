namespace ServerlessSync.Testing;

/// <summary>
/// Where the local stand-ins started by <c>tests/stack/up.sh</c> listen (the test command starts them and
/// exports these variables): moto (S3 and DynamoDB), PostgreSQL, and the Node tools it installs. A missing variable
/// fails the test with the command to run, never skips it.
/// </summary>
public static class TestStack
{
    public static Uri S3Endpoint => new(Required("SSYNC_TEST_S3_ENDPOINT"));

    public static Uri DynamoDbEndpoint => new(Required("SSYNC_TEST_DYNAMODB_ENDPOINT"));

    /// <summary>moto_server as a whole (STS, IAM, Redshift's GetClusterCredentials, S3), for the destination doctor's tests.</summary>
    public static Uri MotoEndpoint => new(Required("SSYNC_MOTO_ENDPOINT"));

    /// <summary>An Npgsql connection string to a throwaway PostgreSQL 15 cluster.</summary>
    public static string PostgresConnectionString => Required("SSYNC_TEST_POSTGRES");

    /// <summary>The <c>node_modules</c> folder holding the state-machine tools (asl-validator, aws-local-stepfunctions).</summary>
    public static string NodeModules => Required("SSYNC_TEST_NODE_MODULES");

    /// <summary>A name no other test run uses: buckets, tables, databases.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: these tests need the local stack. Run them with `bash tests/run-all.sh`, or start it with `eval \"$(bash tests/stack/up.sh)\"` first.");
}
