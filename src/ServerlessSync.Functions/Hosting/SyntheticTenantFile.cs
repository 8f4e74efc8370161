using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using ServerlessSync.Sources.Synthetic;

namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// The synthetic tenant's state file kept in the staging bucket, outside <c>runs/</c> (so cleanup and the bucket's
/// expiry of staged files never touch it), so that every container sees the same tenant: StartRun creates it on first
/// use, every function that reads the source opens it. <see cref="SyntheticTenant"/> works on a local file: the state
/// goes through a file of its own under the temporary directory (Lambda's writable <c>/tmp</c>).
/// </summary>
internal sealed class SyntheticTenantFile(IAmazonS3 s3, string bucket, string workDirectory)
{
    /// <summary>The state file's key in the staging bucket.</summary>
    public const string Key = "tenant/synthetic-tenant.json";

    /// <summary>Opens the tenant, creating it (at <paramref name="scale"/> and <paramref name="seed"/>, T0 = now) when the bucket has none.</summary>
    public async Task<SyntheticTenant> OpenOrCreateAsync(int scale, ulong seed, TimeProvider clock, CancellationToken cancellationToken)
    {
        var path = LocalPath();
        try
        {
            var existed = await DownloadAsync(path, cancellationToken);
            var tenant = SyntheticTenant.OpenOrCreate(path, existed ? null : scale, seed, clock);
            if (!existed)
            {
                await s3.PutObjectAsync(
                    new PutObjectRequest { BucketName = bucket, Key = Key, FilePath = path, ContentType = "application/json" },
                    cancellationToken);
            }

            return tenant;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Opens the tenant StartRun created; throws <see cref="InvalidOperationException"/> when the bucket has none.</summary>
    public async Task<SyntheticTenant> OpenAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        var path = LocalPath();
        try
        {
            if (!await DownloadAsync(path, cancellationToken))
            {
                throw new InvalidOperationException($"the synthetic tenant's state s3://{bucket}/{Key} does not exist: StartRun creates it on the first run");
            }

            return SyntheticTenant.Open(path, clock);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private string LocalPath()
    {
        Directory.CreateDirectory(workDirectory);
        return Path.Combine(workDirectory, $"synthetic-tenant-{Guid.NewGuid():N}.json");
    }

    private async Task<bool> DownloadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = Key }, cancellationToken);
            await using var file = File.Create(path);
            await response.ResponseStream.CopyToAsync(file, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
