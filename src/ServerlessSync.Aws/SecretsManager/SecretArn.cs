using System.Text.RegularExpressions;
using Amazon;

namespace ServerlessSync.Aws.SecretsManager;

/// <summary>
/// A Secrets Manager secret's ARN, <c>arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME</c>, read into its
/// parts. <see cref="Parse"/> says which part is wrong but never repeats the text it was given: a misconfigured
/// setting may hold the secret's value instead of its ARN.
/// </summary>
public sealed partial record SecretArn(string Value, string Partition, string Region, string Account, string Name)
{
    /// <summary>The longest <c>SecretId</c> GetSecretValue accepts.</summary>
    public const int MaxLength = 2048;

    /// <summary>The region the secret lives in, which is where its client must send and sign.</summary>
    public RegionEndpoint RegionEndpoint => RegionEndpoint.GetBySystemName(Region);

    public override string ToString() => Value;

    /// <exception cref="ArgumentException">the text is not a secret ARN; the message names the part at fault</exception>
    public static SecretArn Parse(string secretArn, string parameterName = "secretArn")
    {
        if (string.IsNullOrWhiteSpace(secretArn))
        {
            throw Invalid("it is empty", parameterName);
        }

        if (secretArn.Length > MaxLength)
        {
            throw Invalid($"it is {secretArn.Length} characters long, more than the {MaxLength} Secrets Manager accepts", parameterName);
        }

        var parts = secretArn.Split(':');
        if (parts.Length != 7 || parts[0] != "arn")
        {
            throw Invalid($"it is not seven ':'-separated parts starting with 'arn' ({parts.Length} parts)", parameterName);
        }

        var (partition, service, region, account, resourceType, name) = (parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]);
        var problem =
            !PartitionPattern().IsMatch(partition) ? "its partition is not aws, aws-cn, aws-us-gov or another aws-* partition"
            : service != "secretsmanager" ? "its service is not 'secretsmanager'"
            : !RegionPattern().IsMatch(region) ? "its region is not a region name such as eu-west-1"
            : !AccountPattern().IsMatch(account) ? "its account is not 12 digits"
            : resourceType != "secret" ? "its resource type is not 'secret'"
            : name.Length > 512 || !NamePattern().IsMatch(name) ? "its secret name is not 1 to 512 letters, digits and /_+=.@-"
            : null;
        if (problem is not null)
        {
            throw Invalid(problem, parameterName);
        }

        return new SecretArn(secretArn, partition, region, account, name);
    }

    private static ArgumentException Invalid(string problem, string parameterName) =>
        new($"the secret ARN is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME): {problem}", parameterName);

    [GeneratedRegex("^aws(-[a-z]+)*$")]
    private static partial Regex PartitionPattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex(@"^[A-Za-z0-9/_+=.@-]+$")]
    private static partial Regex NamePattern();
}
