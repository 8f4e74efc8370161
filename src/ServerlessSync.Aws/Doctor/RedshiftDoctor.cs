using System.Globalization;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using ServerlessSync.Aws.Auth;
using ServerlessSync.Aws.Http;
using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.S3;
using ServerlessSync.Core.Model;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Aws.Doctor;

/// <summary>How the doctor waits and talks: its clock, the propagation-delay retry, and where it says what it is doing.</summary>
public sealed record DoctorOptions
{
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The propagation-delay retry of every AWS call (10 minutes by default; <see cref="AccessRetry.None"/> to fail at once).</summary>
    public AccessRetry Access { get; init; } = new();

    /// <summary>How long check 7 waits for a TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// <c>doctor --destination redshift</c>: the seven checks of the customer's checklist (<see cref="DestinationChecks"/>), each
/// PASS, FAIL (with the fix: policy JSON, trust policy JSON or SQL), WARN or SKIP. AWS calls sign with
/// <paramref name="credentials"/> (the SDK's standard chain in the CLI); checks 2, 3, 4 and 6 run as the customer role when
/// one is set, as the loader does. Every access error goes through the one classifier (<see cref="AuthCauses"/>) and the
/// propagation-delay retry.
/// </summary>
public sealed class RedshiftDoctor(DestinationSettings settings, AWSCredentials credentials, DoctorOptions options) : IDestinationChecks
{
    private readonly DestinationSettings _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    private readonly AWSCredentials _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
    private readonly DoctorOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>All seven checks in order; a check that needs an earlier one's success is SKIPped when that failed.</summary>
    public async Task<DoctorReport> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        var (role, identity) = await CheckCustomerRoleAsync(cancellationToken);
        results.Add(role);
        var roleOk = role.Outcome != CheckOutcome.Fail;
        results.Add(roleOk ? await CheckTemporaryCredentialsAsync(identity!, cancellationToken) : After(DestinationChecks.TemporaryCredentials, role));
        var dataApi = roleOk ? await CheckDataApiAsync(identity!, cancellationToken) : After(DestinationChecks.DataApi, role);
        results.Add(dataApi);
        var dataApiOk = dataApi.Outcome == CheckOutcome.Pass;
        var privileges = dataApiOk ? await CheckPrivilegesAsync(identity!, cancellationToken) : After(DestinationChecks.Privileges, dataApi);
        results.Add(privileges);
        var bucket = await CheckStagingBucketAsync(cancellationToken);
        results.Add(bucket);

        // The probe needs the Data API and the bucket; without TEMPORARY it fails on its first statement, saying so.
        var blocking = new[] { dataApi, bucket }.FirstOrDefault(c => c.Outcome is CheckOutcome.Fail or CheckOutcome.Skip);
        results.Add(blocking is not null ? After(DestinationChecks.CopyProbe, blocking) : await CheckCopyProbeAsync(identity!, cancellationToken));
        results.Add(await CheckNetworkAsync(cancellationToken));
        return new DoctorReport(_settings.Target.ToString(), results);
    }

    /// <summary>Check 1. Returns the identity the database is reached as: the customer role's session, or the caller's own.</summary>
    public async Task<(CheckResult Result, AWSCredentials? Identity)> CheckCustomerRoleAsync(CancellationToken cancellationToken)
    {
        const int n = DestinationChecks.CustomerRole;
        if (_settings.CustomerRoleArn is null)
        {
            return (Result(n, CheckOutcome.Skip, _settings.CustomerExternalId is null
                ? "no customer role: the database is in this stack's account and is reached as the stack's own roles"
                : "CUSTOMER_EXTERNAL_ID is set without CUSTOMER_ROLE_ARN: set both, or neither"), _credentials);
        }

        if (_settings.CustomerExternalId is null)
        {
            return (Result(n, CheckOutcome.Fail, $"CUSTOMER_ROLE_ARN {_settings.CustomerRoleArn} is set but no external id: the role is assumed with the external id the customer was given",
                $"Set CUSTOMER_EXTERNAL_ID (--customer-external-id), and the role's trust policy:\n{SetupDocuments.CustomerRoleTrustPolicy(_settings)}"), null);
        }

        using var sts = StsClient();
        try
        {
            var assumed = await _options.Access.RunAsync("sts:AssumeRole with the external id",
                () => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = _settings.CustomerRoleArn, RoleSessionName = "serverless-sync-doctor", ExternalId = _settings.CustomerExternalId, DurationSeconds = 900 }, cancellationToken),
                Error, null, cancellationToken);
            var identity = new SessionAWSCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken);

            // The confused-deputy guard: without the external id the role must refuse.
            try
            {
                await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = _settings.CustomerRoleArn, RoleSessionName = "serverless-sync-doctor-no-id", DurationSeconds = 900 }, cancellationToken);
                return (Result(n, CheckOutcome.Warn, $"assumed {_settings.CustomerRoleArn} with the external id, but also without it: the trust policy lacks the sts:ExternalId condition",
                    $"Add the condition to the role's trust policy:\n{SetupDocuments.CustomerRoleTrustPolicy(_settings)}"), identity);
            }
            catch (AmazonSecurityTokenServiceException e) when (AuthCauses.IsAccessRefused(e.ErrorCode, e.Message))
            {
                return (Result(n, CheckOutcome.Pass, $"assumed {_settings.CustomerRoleArn} with the external id (as {assumed.AssumedRoleUser?.Arn}); without it the role refuses"), identity);
            }
        }
        catch (AwsAuthException e)
        {
            return (AuthFail(n, e, $"The customer applies this trust policy to {_settings.CustomerRoleArn}:\n{SetupDocuments.CustomerRoleTrustPolicy(_settings)}"), null);
        }
        catch (AmazonServiceException e)
        {
            return (Result(n, CheckOutcome.Fail, $"sts:AssumeRole on {_settings.CustomerRoleArn} failed: {e.ErrorCode}: {OneLine(e.Message)}",
                $"Check CUSTOMER_ROLE_ARN names the customer's role, and its trust policy:\n{SetupDocuments.CustomerRoleTrustPolicy(_settings)}"), null);
        }
    }

    /// <summary>Check 2: short-lived database credentials, as the Data API gets them.</summary>
    public async Task<CheckResult> CheckTemporaryCredentialsAsync(AWSCredentials identity, CancellationToken cancellationToken)
    {
        const int n = DestinationChecks.TemporaryCredentials;
        var target = _settings.Target;
        var action = target.IsServerless ? $"redshift-serverless:GetCredentials on workgroup {target.WorkgroupName}" : $"redshift:GetClusterCredentials for user {target.DbUser} on cluster {target.ClusterIdentifier}, database {target.Database}";
        using var client = new RedshiftCredentialsClient(identity, _settings.Region, _settings.Endpoints);
        try
        {
            var user = await _options.Access.RunAsync(action, () => client.GetAsync(target, cancellationToken), Error, target.IsServerless, cancellationToken);
            return Result(n, CheckOutcome.Pass, $"{action}: allowed (database user {user})");
        }
        catch (AwsAuthException e)
        {
            return AuthFail(n, e, SetupDocuments.CustomerRolePolicy(_settings));
        }
        catch (AwsServiceException e) when (e.ErrorCode is "ClusterNotFound" or "ClusterNotFoundFault" or "ResourceNotFoundException")
        {
            return Result(n, CheckOutcome.Fail, $"{action}: {e.ErrorCode}: {OneLine(e.ServiceMessage)}: no such {(target.IsServerless ? "workgroup" : "cluster")} in {_settings.Region.SystemName} for this account",
                target.IsServerless ? "Set REDSHIFT_WORKGROUP (--workgroup) to the workgroup's name or ARN, and AWS_REGION to its region." : "Set REDSHIFT_CLUSTER_ID (--cluster-id) to the cluster's identifier, and AWS_REGION to its region.");
        }
        catch (AwsServiceException e)
        {
            return Result(n, CheckOutcome.Fail, $"{action}: {e.ErrorCode}: {OneLine(e.ServiceMessage)}", SetupDocuments.CustomerRolePolicy(_settings));
        }
    }

    /// <summary>Check 3: the Data API runs a statement, and the same identity reads its result.</summary>
    public async Task<CheckResult> CheckDataApiAsync(AWSCredentials identity, CancellationToken cancellationToken)
    {
        const int n = DestinationChecks.DataApi;
        using var dataApi = DataApi(identity);
        return await GuardAsync(n, async () =>
        {
            var rows = await QueryAsync(dataApi, "SELECT CURRENT_USER, CURRENT_DATABASE()", cancellationToken);
            var row = rows.FirstOrDefault() ?? throw new InvalidDataException("the statement finished but its result had no row");
            return Result(n, CheckOutcome.Pass, $"ran a statement on {_settings.Target} and read its result: database user {row[0].StringValue}, database {row[1].StringValue}");
        });
    }

    /// <summary>Check 4: CREATE and TEMPORARY on the database, or ALL on a pre-created schema (TEMPORARY still).</summary>
    public async Task<CheckResult> CheckPrivilegesAsync(AWSCredentials identity, CancellationToken cancellationToken)
    {
        const int n = DestinationChecks.Privileges;
        using var dataApi = DataApi(identity);
        return await GuardAsync(n, async () =>
        {
            var schema = _settings.Schema;
            // The database the Data API connected to: the target's.
            var rows = await QueryAsync(dataApi,
                $"SELECT CURRENT_USER, HAS_DATABASE_PRIVILEGE(CURRENT_DATABASE(), 'CREATE'), HAS_DATABASE_PRIVILEGE(CURRENT_DATABASE(), 'TEMPORARY'), (SELECT COUNT(*) FROM pg_namespace WHERE nspname = {Redshift.RedshiftSql.Literal(schema)})",
                cancellationToken);
            var row = rows.Single();
            var user = row[0].StringValue ?? "?";
            var create = Bool(row[1]);
            var temporary = Bool(row[2]);
            var schemaExists = (row[3].LongValue ?? 0) > 0;
            var schemaAll = false;
            if (schemaExists)
            {
                var literal = Redshift.RedshiftSql.Literal(schema);
                var grants = (await QueryAsync(dataApi, $"SELECT HAS_SCHEMA_PRIVILEGE({literal}, 'CREATE'), HAS_SCHEMA_PRIVILEGE({literal}, 'USAGE')", cancellationToken)).Single();
                schemaAll = Bool(grants[0]) && Bool(grants[1]);
            }

            var missing = new List<string>();
            var fixes = new List<string>();
            if (!temporary)
            {
                missing.Add($"TEMPORARY on database {_settings.Target.Database} (each load copies into a temporary table)");
                fixes.Add(SetupDocuments.GrantDatabase(_settings.Target.Database, user, "TEMPORARY"));
            }

            if (schemaExists && !schemaAll)
            {
                missing.Add($"ALL on the existing schema {schema}");
                fixes.Add(SetupDocuments.GrantSchema(schema, user));
            }
            else if (!schemaExists && !create)
            {
                missing.Add($"CREATE on database {_settings.Target.Database} (the first sync creates schema {schema})");
                fixes.Add(SetupDocuments.GrantDatabase(_settings.Target.Database, user, "CREATE"));
            }

            if (missing.Count > 0)
            {
                return Result(n, CheckOutcome.Fail, $"database user {user} lacks {string.Join(" and ", missing)}",
                    $"Run as the database's owner:\n{string.Join('\n', fixes)}" + (schemaExists ? "" : $"\n-- or create the schema beforehand and grant it instead of CREATE:\n-- CREATE SCHEMA {Redshift.RedshiftSql.Identifier(schema)};\n-- {SetupDocuments.GrantSchema(schema, user)}"));
            }

            return Result(n, CheckOutcome.Pass, schemaExists
                ? $"database user {user} has ALL on the existing schema {schema} and TEMPORARY on database {_settings.Target.Database}"
                : $"database user {user} has CREATE and TEMPORARY on database {_settings.Target.Database} (schema {schema} is created on the first sync)");
        });
    }

    /// <summary>Check 5: list the bucket, then put, get and delete a probe object under the staging prefix.</summary>
    public async Task<CheckResult> CheckStagingBucketAsync(CancellationToken cancellationToken)
    {
        const int n = DestinationChecks.StagingBucket;
        var bucket = _settings.StagingBucket;
        var key = $"{_settings.StagingPrefix}{_settings.ConnectorId}/doctor-probe-{Guid.NewGuid():N}.txt";
        var fix = $"Allow on the staging bucket:\n{SetupDocuments.CustomerRolePolicy(_settings)}";
        using var s3 = S3ClientFactory.Create(_credentials, _settings.Region, _settings.Endpoints.S3);
        var step = "s3:ListBucket";
        var put = false;
        try
        {
            await _options.Access.RunAsync(step, () => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = _settings.StagingPrefix, MaxKeys = 1 }, cancellationToken), Error, null, cancellationToken);
            step = "s3:PutObject";
            await _options.Access.RunAsync(step, () => s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "serverless-sync doctor probe" }, cancellationToken), Error, null, cancellationToken);
            put = true;
            step = "s3:GetObject";
            using (var got = await _options.Access.RunAsync(step, () => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellationToken), Error, null, cancellationToken))
            using (var reader = new StreamReader(got.ResponseStream))
            {
                if (await reader.ReadToEndAsync(cancellationToken) != "serverless-sync doctor probe")
                {
                    return Result(n, CheckOutcome.Fail, $"s3://{bucket}/{key} read back different bytes than were written", "Check for a bucket policy or proxy rewriting objects.");
                }
            }

            step = "s3:DeleteObject";
            await _options.Access.RunAsync(step, () => s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, cancellationToken), Error, null, cancellationToken);
            put = false;
            return Result(n, CheckOutcome.Pass, $"listed s3://{bucket}/{_settings.StagingPrefix}, put, read and deleted a probe object there");
        }
        catch (AwsAuthException e)
        {
            return AuthFail(n, e, fix);
        }
        catch (AmazonS3Exception e)
        {
            return Result(n, CheckOutcome.Fail, $"{step} on s3://{bucket}/{(step == "s3:ListBucket" ? "" : key)} failed: {e.ErrorCode}: {OneLine(e.Message)}",
                e.ErrorCode == "NoSuchBucket" ? $"Set STAGING_BUCKET (--staging-bucket) to the stack's bucket (output StagingBucketName)." : fix);
        }
        finally
        {
            if (put)
            {
                try
                {
                    await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, CancellationToken.None);
                }
                catch (AmazonS3Exception)
                {
                    // Refused: the check already failed on what it could not do; the bucket's lifecycle expires runs/ objects.
                }
            }
        }
    }

    /// <summary>Check 6: the COPY probe (<see cref="CopyProbe"/>).</summary>
    public async Task<CheckResult> CheckCopyProbeAsync(AWSCredentials identity, CancellationToken cancellationToken)
    {
        const int n = DestinationChecks.CopyProbe;
        using var dataApi = DataApi(identity);
        using var s3 = S3ClientFactory.Create(_credentials, _settings.Region, _settings.Endpoints.S3);
        var staging = new S3StagingStore(s3, new S3StagingOptions(_settings.StagingBucket));
        return await GuardAsync(n, () => new CopyProbe(dataApi, staging, _settings, _options.Clock).RunAsync(cancellationToken));
    }

    /// <summary>Check 7: the Data API needs no inbound path; with <c>--direct</c>, TCP to the endpoint's port.</summary>
    public async Task<CheckResult> CheckNetworkAsync(CancellationToken cancellationToken)
    {
        const int n = DestinationChecks.Network;
        const string dataApi = "the loader reaches Redshift only through the Data API (HTTPS to redshift-data): the cluster needs no inbound rule, public address or VPC route for it";
        if (!_settings.Direct)
        {
            return Result(n, CheckOutcome.Pass, dataApi + "; --direct also checks TCP to the endpoint's port 5439 for SQL clients");
        }

        if (string.IsNullOrWhiteSpace(_settings.ClusterEndpoint))
        {
            return Result(n, CheckOutcome.Fail, "--direct needs the endpoint: --endpoint HOST[:PORT] (the cluster's or workgroup's endpoint address)", null);
        }

        var (host, port) = SplitEndpoint(_settings.ClusterEndpoint);
        using var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var egress = "allow inbound TCP " + port.ToString(CultureInfo.InvariantCulture) + " in the cluster's security group from this machine's egress address (behind NAT: the NAT gateway's Elastic IP; from a VPC: its CIDR or security group)";
        try
        {
            await tcp.ConnectAsync(host, port, timeout.Token);
            return Result(n, CheckOutcome.Pass, $"{dataApi}; TCP to {host}:{port} connects");
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var why = e is SocketException s ? s.SocketErrorCode.ToString() : $"no answer within {_options.ConnectTimeout.TotalSeconds:0} s";
            return Result(n, CheckOutcome.Fail, $"TCP to {host}:{port} does not connect ({why}); the Data API path does not need it", $"For direct SQL access: {egress}, and make the cluster publicly accessible or reach it from inside its VPC.");
        }
    }

    internal static (string Host, int Port) SplitEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? (endpoint[..colon], port)
            : (endpoint, 5439);
    }

    private async Task<List<IReadOnlyList<Field>>> QueryAsync(RedshiftDataClient dataApi, string sql, CancellationToken cancellationToken)
    {
        var submitted = await dataApi.ExecuteStatementAsync(new ExecuteStatementRequest(_settings.Target, sql) { StatementName = "serverless-sync doctor" }, cancellationToken);
        await dataApi.WaitForStatementAsync(submitted.Id, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), cancellationToken);
        var rows = new List<IReadOnlyList<Field>>();
        await foreach (var record in dataApi.ReadRecordsAsync(submitted.Id, cancellationToken))
        {
            rows.Add(record);
        }

        return rows;
    }

    private RedshiftDataClient DataApi(AWSCredentials identity) =>
        new(new AwsClientOptions(identity, _settings.Region) { ServiceUrl = _settings.Endpoints.RedshiftData, TimeProvider = _options.Clock, AccessRetry = _options.Access });

    private AmazonSecurityTokenServiceClient StsClient() =>
        _settings.Endpoints.Sts is { } endpoint
            ? new AmazonSecurityTokenServiceClient(_credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = _settings.Region.SystemName })
            : new AmazonSecurityTokenServiceClient(_credentials, new AmazonSecurityTokenServiceConfig { RegionEndpoint = _settings.Region });

    private async Task<CheckResult> GuardAsync(int number, Func<Task<CheckResult>> check)
    {
        try
        {
            return await check();
        }
        catch (AwsAuthException e)
        {
            return AuthFail(number, e, SetupDocuments.CustomerRolePolicy(_settings));
        }
        catch (AwsServiceException e)
        {
            return Result(number, CheckOutcome.Fail, $"{e.ErrorCode}: {OneLine(e.ServiceMessage)}", number == DestinationChecks.DataApi ? SetupDocuments.CustomerRolePolicy(_settings) : null);
        }
        catch (RedshiftStatementFailedException e)
        {
            return Result(number, CheckOutcome.Fail, $"the statement failed: {OneLine(e.FailedSubStatement?.Error ?? e.Error ?? e.Message)}", number == DestinationChecks.Privileges ? SetupDocuments.Sql(_settings) : null);
        }
        catch (Exception e) when (e is RedshiftStatementTimeoutException or InvalidDataException or HttpRequestException or AmazonServiceException)
        {
            return Result(number, CheckOutcome.Fail, OneLine(e.Message));
        }
    }

    private static bool Bool(Field field) => field.BooleanValue ?? field.StringValue is "true" or "t";

    private static AccessError? Error(Exception e) => Http.AwsJsonClient.AccessError(e);

    private static CheckResult After(int number, CheckResult failed) =>
        Result(number, CheckOutcome.Skip, $"not run: check {failed.Number} ({failed.Name}) did not pass");

    private static CheckResult AuthFail(int number, AwsAuthException e, string fix) =>
        Result(number, CheckOutcome.Fail, OneLine(e.Message), e.Cause is null ? fix : $"{e.Cause.Fix}\n{fix}", e.Cause?.Code);

    private static CheckResult Result(int number, CheckOutcome outcome, string message, string? fix = null, string? cause = null) =>
        new(number, DestinationChecks.NameOf(number), outcome, message, fix, cause);

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
