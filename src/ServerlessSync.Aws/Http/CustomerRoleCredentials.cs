using System.Text.RegularExpressions;
using Amazon.Runtime;

namespace ServerlessSync.Aws.Http;

/// <summary>
/// Credentials for working in a customer's account: <c>sts:AssumeRole</c> on the customer's role with the
/// external ID they were given, from our own credentials. AWSSDK.Core's <see cref="AssumeRoleAWSCredentials"/>
/// calls STS (through AWSSDK.SecurityToken, which this project references) on first use and refreshes
/// before expiry; building them here makes no network call. Inputs are checked against STS's documented
/// limits so a bad configuration fails at start-up, not on the first signed request.
/// </summary>
public static partial class CustomerRoleCredentials
{
    public static AssumeRoleAWSCredentials Create(AWSCredentials source, string roleArn, string externalId, string sessionName, TimeSpan? duration = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrEmpty(roleArn) || !RoleArnPattern().IsMatch(roleArn))
        {
            throw new ArgumentException($"'{roleArn}' is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)", nameof(roleArn));
        }

        if (externalId is null || externalId.Length is < 2 or > 1224 || !ExternalIdPattern().IsMatch(externalId))
        {
            throw new ArgumentException("the external ID must be 2 to 1224 characters of letters, digits and +=,.@:/-_", nameof(externalId));
        }

        if (sessionName is null || sessionName.Length is < 2 or > 64 || !SessionNamePattern().IsMatch(sessionName))
        {
            throw new ArgumentException($"the role session name must be 2 to 64 characters of letters, digits and +=,.@-_, not '{sessionName}'", nameof(sessionName));
        }

        var options = new AssumeRoleAWSCredentialsOptions { ExternalId = externalId };
        if (duration is { } wanted)
        {
            if (wanted < TimeSpan.FromMinutes(15) || wanted > TimeSpan.FromHours(12))
            {
                throw new ArgumentException($"the session duration must be 15 minutes to 12 hours, not {wanted}", nameof(duration));
            }

            options.DurationSeconds = (int)wanted.TotalSeconds;
        }

        return new AssumeRoleAWSCredentials(source, roleArn, sessionName, options);
    }

    [GeneratedRegex(@"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/-]+$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[\w+=,.@:/-]+$")]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[\w+=,.@-]+$")]
    private static partial Regex SessionNamePattern();
}
