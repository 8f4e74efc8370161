using System.Text;
using System.Text.Json;
using ServerlessSync.Aws.Redshift;

namespace ServerlessSync.Aws.Doctor;

/// <summary>
/// What the database's owner applies, for given settings (<c>setup print</c>, and the fixes doctor prints): the customer
/// role's IAM policy and trust policy, the COPY role's trust policy and policy, and the SQL. The JSON documents are
/// IAM policy documents (Version 2012-10-17); ARNs name the database's account where the role ARNs tell it, else
/// <c>{account}</c>.
/// </summary>
public static class SetupDocuments
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    private static string Account(DestinationSettings s) => s.DatabaseAccount ?? "{account}";

    private static string Region(DestinationSettings s) => s.Region.SystemName;

    /// <summary>The dbuser and dbname ARNs GetClusterCredentials is allowed on (provisioned cluster).</summary>
    public static IReadOnlyList<string> ClusterCredentialArns(DestinationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var t = settings.Target;
        var prefix = $"arn:aws:redshift:{Region(settings)}:{Account(settings)}";
        return [$"{prefix}:dbuser:{t.ClusterIdentifier}/{t.DbUser}", $"{prefix}:dbname:{t.ClusterIdentifier}/{t.Database}"];
    }

    /// <summary>The workgroup's ARN: the setting itself when it is one, else every workgroup of the account in the region (a name does not give the id).</summary>
    public static string WorkgroupArn(DestinationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var name = settings.Target.WorkgroupName!;
        return name.StartsWith("arn:", StringComparison.Ordinal) ? name : $"arn:aws:redshift-serverless:{Region(settings)}:{Account(settings)}:workgroup/*";
    }

    private static string ClusterArn(DestinationSettings s) => $"arn:aws:redshift:{Region(s)}:{Account(s)}:cluster:{s.Target.ClusterIdentifier}";

    /// <summary>The customer role's policy (or, without one, what the stack's loader role holds): temporary credentials, the Data API, the staging bucket.</summary>
    public static string CustomerRolePolicy(DestinationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Policy(json =>
        {
            if (settings.Target.IsServerless)
            {
                Statement(json, "TemporaryCredentials", ["redshift-serverless:GetCredentials"], [WorkgroupArn(settings)]);
                Statement(json, "RunStatements", ["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement"], [WorkgroupArn(settings)]);
            }
            else
            {
                Statement(json, "TemporaryCredentials", ["redshift:GetClusterCredentials"], ClusterCredentialArns(settings));
                Statement(json, "RunStatements", ["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement"], [ClusterArn(settings)]);
            }

            // The Data API has no resource type for these: statements are known by id only.
            Statement(json, "ReadStatements", ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult", "redshift-data:CancelStatement"], ["*"]);
            BucketStatements(json, settings);
        });
    }

    /// <summary>The customer role's trust policy: this stack's loader role (or account) may assume it with the external id.</summary>
    public static string CustomerRoleTrustPolicy(DestinationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var principal = settings.LoaderRoleArn ?? "arn:aws:iam::{stack account}:root";
        return Policy(json =>
        {
            json.WriteStartObject();
            json.WriteString("Effect", "Allow");
            json.WriteStartObject("Principal");
            json.WriteString("AWS", principal);
            json.WriteEndObject();
            json.WriteString("Action", "sts:AssumeRole");
            json.WriteStartObject("Condition");
            json.WriteStartObject("StringEquals");
            json.WriteString("sts:ExternalId", settings.CustomerExternalId ?? "{external id}");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    /// <summary>The COPY role's trust policy: Redshift may assume it.</summary>
    public static string CopyRoleTrustPolicy() => Policy(json =>
    {
        json.WriteStartObject();
        json.WriteString("Effect", "Allow");
        json.WriteStartObject("Principal");
        json.WriteString("Service", "redshift.amazonaws.com");
        json.WriteEndObject();
        json.WriteString("Action", "sts:AssumeRole");
        json.WriteEndObject();
    });

    /// <summary>The COPY role's policy: list the staging bucket and read its objects (COPY only lists and reads).</summary>
    public static string CopyRolePolicy(DestinationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Policy(json =>
        {
            Statement(json, "ListStagingBucket", ["s3:ListBucket"], [$"arn:aws:s3:::{settings.StagingBucket}"]);
            Statement(json, "ReadStagedFiles", ["s3:GetObject"], [$"arn:aws:s3:::{settings.StagingBucket}/*"]);
        });
    }

    /// <summary>The database user the loader runs as: the cluster's DbUser, or on Serverless the role mapped to <c>IAMR:{role name}</c>.</summary>
    public static string DatabaseUser(DestinationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Target.IsServerless)
        {
            return settings.Target.DbUser!;
        }

        var role = settings.CustomerRoleArn ?? settings.LoaderRoleArn;
        return role is null ? "IAMR:{loader role name}" : "IAMR:" + role[(role.LastIndexOf('/') + 1)..];
    }

    /// <summary>GRANT statements for a user, quoted as Redshift needs them.</summary>
    public static string GrantDatabase(string database, string user, params string[] privileges) =>
        $"GRANT {string.Join(", ", privileges)} ON DATABASE {RedshiftSql.Identifier(database)} TO {RedshiftSql.Identifier(user)};";

    public static string GrantSchema(string schema, string user) =>
        $"GRANT ALL ON SCHEMA {RedshiftSql.Identifier(schema)} TO {RedshiftSql.Identifier(user)};";

    /// <summary>The SQL the database's owner runs: the user (provisioned), its database privileges, or the schema grant.</summary>
    public static string Sql(DestinationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var user = DatabaseUser(settings);
        var sql = new StringBuilder();
        if (settings.Target.IsServerless)
        {
            sql.Append("-- Redshift Serverless creates the user ").Append(user).Append(" on its first connection; run the grants after it.\n");
        }
        else
        {
            sql.Append("CREATE USER ").Append(RedshiftSql.Identifier(user)).Append(" PASSWORD DISABLE;\n");
        }

        sql.Append(GrantDatabase(settings.Target.Database, user, "CREATE", "TEMPORARY")).Append('\n')
            .Append("-- or, with the schema created beforehand (TEMPORARY is still needed):\n")
            .Append("-- CREATE SCHEMA ").Append(RedshiftSql.Identifier(settings.Schema)).Append(";\n")
            .Append("-- ").Append(GrantSchema(settings.Schema, user)).Append('\n')
            .Append("-- ").Append(GrantDatabase(settings.Target.Database, user, "TEMPORARY")).Append('\n');
        return sql.ToString();
    }

    /// <summary>Everything, as <c>setup print</c> shows it: a title line before each document.</summary>
    public static string PrintAll(DestinationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var text = new StringBuilder();
        text.Append("# Customer role policy (").Append(settings.CustomerRoleArn ?? "without a customer role: the stack's loader role holds it").Append(")\n")
            .Append(CustomerRolePolicy(settings)).Append("\n\n")
            .Append("# Customer role trust policy\n").Append(CustomerRoleTrustPolicy(settings)).Append("\n\n")
            .Append("# COPY role trust policy (").Append(settings.CopyRoleArn).Append(")\n").Append(CopyRoleTrustPolicy()).Append("\n\n")
            .Append("# COPY role policy\n").Append(CopyRolePolicy(settings)).Append("\n\n")
            .Append("# SQL, run by the database's owner\n").Append(Sql(settings));
        return text.ToString();
    }

    private static void BucketStatements(Utf8JsonWriter json, DestinationSettings settings)
    {
        Statement(json, "ListStagingBucket", ["s3:ListBucket"], [$"arn:aws:s3:::{settings.StagingBucket}"]);
        Statement(json, "StagedFiles", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [$"arn:aws:s3:::{settings.StagingBucket}/*"]);
    }

    private static void Statement(Utf8JsonWriter json, string sid, IReadOnlyList<string> actions, IReadOnlyList<string> resources)
    {
        json.WriteStartObject();
        json.WriteString("Sid", sid);
        json.WriteString("Effect", "Allow");
        WriteOneOrMany(json, "Action", actions);
        WriteOneOrMany(json, "Resource", resources);
        json.WriteEndObject();
    }

    private static void WriteOneOrMany(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 1)
        {
            json.WriteString(name, values[0]);
            return;
        }

        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static string Policy(Action<Utf8JsonWriter> statements)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartObject();
            json.WriteString("Version", "2012-10-17");
            json.WriteStartArray("Statement");
            statements(json);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
