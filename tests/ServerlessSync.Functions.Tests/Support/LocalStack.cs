namespace ServerlessSync.Functions.Tests.Support;

/// <summary>
/// Where the local servers started by <c>tests/stack/up.sh</c> listen (s3rver, dynalite, PostgreSQL). A missing
/// variable fails the test with the command to run, never skips it.
/// </summary>
public static class LocalStack
{
    public static Uri S3Endpoint => new(Required("SSYNC_TEST_S3_ENDPOINT"));

    public static Uri DynamoDbEndpoint => new(Required("SSYNC_TEST_DYNAMODB_ENDPOINT"));

    public static string PostgresConnectionString => Required("SSYNC_TEST_POSTGRES");

    /// <summary>A bucket or table name no other test uses.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: these tests need the local stack. Run them with `bash tests/run-all.sh`, or start it with `eval \"$(bash tests/stack/up.sh)\"` first.");
}
