using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using ServerlessSync.Aws.S3;
using ServerlessSync.Aws.SecretsManager;

namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// The SDK clients, for AWS or for a local endpoint. S3 is <see cref="S3ClientFactory"/>'s (production settings;
/// path-style addressing on an endpoint override). AWS itself gets the SDK's defaults. Secrets Manager is the project's own
/// signed client (<see cref="SecretsManagerClient"/>), in the region of the secret it reads.
/// </summary>
internal static class ServiceClients
{
    public static IAmazonS3 S3(AWSCredentials credentials, RegionEndpoint region, Uri? endpoint) =>
        S3ClientFactory.Create(credentials, region, endpoint);

    public static IAmazonDynamoDB DynamoDb(AWSCredentials credentials, RegionEndpoint region, Uri? endpoint) =>
        new AmazonDynamoDBClient(
            credentials,
            endpoint is null
                ? new AmazonDynamoDBConfig { RegionEndpoint = region }
                : new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = region.SystemName });

    public static SecretsManagerClient SecretsManager(AWSCredentials credentials, string secretArn, Uri? endpoint) =>
        SecretsManagerClient.ForSecret(secretArn, credentials, endpoint);
}
