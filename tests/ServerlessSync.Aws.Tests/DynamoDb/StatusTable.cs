using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using ServerlessSync.Aws.DynamoDb;
using ServerlessSync.Testing;

namespace ServerlessSync.Aws.Tests.DynamoDb;

/// <summary>
/// A status table of its own in the local DynamoDB (moto), created for one test and deleted after it, so
/// tests run in parallel. xunit makes a new test-class instance per test: hold one in a field and implement
/// <see cref="IAsyncLifetime"/> by forwarding to it.
/// </summary>
internal sealed class StatusTable : IAsyncLifetime
{
    public IAmazonDynamoDB Client { get; } = NewClient();

    public string Name { get; } = TestStack.UniqueName("status");

    public static IAmazonDynamoDB NewClient() => new AmazonDynamoDBClient(
        new BasicAWSCredentials("local", "local"),
        new AmazonDynamoDBConfig { ServiceURL = TestStack.DynamoDbEndpoint.ToString(), AuthenticationRegion = "us-east-1" });

    /// <summary>A store on this table; each call is a new instance with nothing cached.</summary>
    public DynamoDbStatusStore Store(int queryPageSize = 500) => new(Client, Name) { QueryPageSize = queryPageSize };

    public Task InitializeAsync() => DynamoDbStatusStore.CreateTableAsync(Client, Name, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await Client.DeleteTableAsync(new DeleteTableRequest { TableName = Name });
        Client.Dispose();
    }

    /// <summary>The stored item, as DynamoDB holds it, or null.</summary>
    public async Task<Dictionary<string, AttributeValue>?> ItemAsync(string pk, string sk)
    {
        var response = await Client.GetItemAsync(new GetItemRequest
        {
            TableName = Name,
            Key = new() { ["pk"] = new AttributeValue { S = pk }, ["sk"] = new AttributeValue { S = sk } },
            ConsistentRead = true,
        });
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>Every item of a partition, by sort key.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> PartitionAsync(string pk)
    {
        var response = await Client.QueryAsync(new QueryRequest
        {
            TableName = Name,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = pk } },
            ConsistentRead = true,
        });
        return response.Items ?? [];
    }

    /// <summary>An item as one line: its attributes by name, each with its value.</summary>
    public static string Describe(Dictionary<string, AttributeValue> item) =>
        string.Join(", ", item.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Describe(p.Value)}"));

    private static string Describe(AttributeValue value) =>
        value.S is { } s ? $"S:{s}"
        : value.N is { } n ? $"N:{n}"
        : value.BOOL is { } b ? $"BOOL:{b}"
        : value.L is { } l ? $"L:[{string.Join(", ", l.Select(Describe))}]"
        : value.M is { } m ? $"M:{{{Describe(m)}}}"
        : value.NULL is true ? "NULL"
        : "?";
}
