using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RedshiftDataDouble.Protocol;

/// <summary>
/// The input of one Data API call, read and checked against the service model (redshift-data 2019-12-20):
/// member names exactly as the model spells them, JSON types, required members, lengths, list sizes, enums and
/// patterns. A member the operation does not have is refused too (the service would ignore it; refusing it
/// catches a misspelled member in the client). Problems are ValidationExceptions naming the member, wrong JSON
/// types SerializationExceptions.
/// </summary>
internal sealed partial class DataApiRequest
{
    /// <summary>Redshift's limit on one SQL text sent through the Data API.</summary>
    public const int MaxSqlBytes = 100 * 1024;

    private static readonly Dictionary<string, string[]> MembersByOperation = new()
    {
        ["ExecuteStatement"] =
        [
            "Sql", "ClusterIdentifier", "SecretArn", "DbUser", "Database", "WithEvent", "StatementName", "Parameters",
            "WorkgroupName", "ClientToken", "ResultFormat", "SessionKeepAliveSeconds", "SessionId", "WaitTimeSeconds",
        ],
        ["BatchExecuteStatement"] =
        [
            "Sqls", "ClusterIdentifier", "SecretArn", "DbUser", "Database", "WithEvent", "StatementName", "Parameters",
            "WorkgroupName", "ClientToken", "ResultFormat", "SessionKeepAliveSeconds", "SessionId", "ExecutionMode", "WaitTimeSeconds",
        ],
        ["DescribeStatement"] = ["Id", "WaitTimeSeconds"],
        ["GetStatementResult"] = ["Id", "NextToken", "WaitTimeSeconds"],
        ["CancelStatement"] = ["Id"],
    };

    private readonly JsonElement _root;

    private DataApiRequest(string operation, JsonElement root)
    {
        Operation = operation;
        _root = root;
    }

    public static IEnumerable<string> Operations => MembersByOperation.Keys;

    public string Operation { get; }

    public string? Sql { get; private set; }

    public IReadOnlyList<string> Sqls { get; private set; } = [];

    public string? ClusterIdentifier { get; private set; }

    public string? WorkgroupName { get; private set; }

    public string? Database { get; private set; }

    public string? DbUser { get; private set; }

    public string? SecretArn { get; private set; }

    public bool? WithEvent { get; private set; }

    public string? StatementName { get; private set; }

    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; private set; } = [];

    public string? ClientToken { get; private set; }

    public string? ResultFormat { get; private set; }

    public int? SessionKeepAliveSeconds { get; private set; }

    public string? SessionId { get; private set; }

    public int? WaitTimeSeconds { get; private set; }

    public string? ExecutionMode { get; private set; }

    public string? Id { get; private set; }

    public string? NextToken { get; private set; }

    public static DataApiRequest Parse(string operation, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DataApiException("SerializationException", "The request body must be a JSON object");
        }

        var members = MembersByOperation[operation];
        foreach (var property in root.EnumerateObject())
        {
            if (!members.Contains(property.Name, StringComparer.Ordinal))
            {
                throw DataApiException.Validation(
                    $"{operation} has no member '{property.Name}' (members, as the model spells them: {string.Join(", ", members)})");
            }
        }

        var request = new DataApiRequest(operation, root);
        request.Read();
        return request;
    }

    private void Read()
    {
        switch (Operation)
        {
            case "ExecuteStatement":
                Sql = String("Sql", required: true);
                CheckSqlSize("Sql", Sql!);
                Sqls = [Sql!];
                ReadSubmission();
                break;
            case "BatchExecuteStatement":
                Sqls = StringList("Sqls", min: 1, max: 40);
                foreach (var sql in Sqls)
                {
                    CheckSqlSize("Sqls", sql);
                }

                ReadSubmission();
                ExecutionMode = Enum("ExecutionMode", "TRANSACTION", "AUTO_COMMIT");
                break;
            case "DescribeStatement":
            case "CancelStatement":
                Id = String("Id", required: true, pattern: StatementId());
                break;
            case "GetStatementResult":
                Id = String("Id", required: true, pattern: StatementId());
                NextToken = String("NextToken");
                break;
        }

        WaitTimeSeconds = Integer("WaitTimeSeconds", 1, 30);
    }

    private void ReadSubmission()
    {
        ClusterIdentifier = String("ClusterIdentifier", min: 1, max: 63, pattern: ClusterIdentifierPattern());
        WorkgroupName = String("WorkgroupName", min: 3, max: 128, pattern: WorkgroupNamePattern());
        SecretArn = String("SecretArn");
        DbUser = String("DbUser");
        Database = String("Database");
        WithEvent = Boolean("WithEvent");
        StatementName = String("StatementName", max: 2048);
        ClientToken = String("ClientToken", min: 1, max: 64);
        ResultFormat = Enum("ResultFormat", "JSON", "CSV");
        SessionKeepAliveSeconds = Integer("SessionKeepAliveSeconds", 0, 86400);
        SessionId = String("SessionId", pattern: StatementId());
        Parameters = ReadParameters();
    }

    private static void CheckSqlSize(string member, string sql)
    {
        if (Encoding.UTF8.GetByteCount(sql) > MaxSqlBytes)
        {
            throw DataApiException.Validation($"Cannot process query string larger than 100kB (a '{member}' text has {Encoding.UTF8.GetByteCount(sql)} bytes)");
        }
    }

    private IReadOnlyList<KeyValuePair<string, string>> ReadParameters()
    {
        if (!_root.TryGetProperty("Parameters", out var list))
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw WrongType("Parameters", "a list");
        }

        if (list.GetArrayLength() < 1)
        {
            throw Constraint("Parameters", "Member must have length greater than or equal to 1");
        }

        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw WrongType("Parameters", "a list of SqlParameter objects");
            }

            string? name = null;
            string? value = null;
            foreach (var property in item.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "name" when property.Value.ValueKind == JsonValueKind.String:
                        name = property.Value.GetString();
                        break;
                    case "value" when property.Value.ValueKind == JsonValueKind.String:
                        value = property.Value.GetString();
                        break;
                    case "name" or "value":
                        throw WrongType($"Parameters.{property.Name}", "a string");
                    default:
                        throw DataApiException.Validation($"SqlParameter has no member '{property.Name}' (its members are 'name' and 'value')");
                }
            }

            if (name is null || !ParameterName().IsMatch(name))
            {
                throw Constraint("Parameters.name", "Member must not be null and must satisfy regular expression pattern: [0-9a-zA-Z_]+");
            }

            if (string.IsNullOrEmpty(value))
            {
                throw Constraint("Parameters.value", "Member must not be null and must have length greater than or equal to 1");
            }

            parameters.Add(new(name, value));
        }

        return parameters;
    }

    private string? String(string member, bool required = false, int? min = null, int? max = null, Regex? pattern = null)
    {
        if (!_root.TryGetProperty(member, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return required ? throw Constraint(member, "Member must not be null") : null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            throw WrongType(member, "a string");
        }

        var value = element.GetString()!;
        if (value.Length < min)
        {
            throw Constraint(member, $"Member must have length greater than or equal to {min}");
        }

        if (value.Length > max)
        {
            throw Constraint(member, $"Member must have length less than or equal to {max}");
        }

        if (pattern is not null && !pattern.IsMatch(value))
        {
            throw Constraint(member, $"Member must satisfy regular expression pattern: {pattern}");
        }

        return value;
    }

    private string? Enum(string member, params string[] values)
    {
        var value = String(member);
        return value is null || values.Contains(value, StringComparer.Ordinal)
            ? value
            : throw Constraint(member, $"Member must satisfy enum value set: [{string.Join(", ", values)}]");
    }

    private bool? Boolean(string member)
    {
        if (!_root.TryGetProperty(member, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(member, "a boolean"),
        };
    }

    private int? Integer(string member, int min, int max)
    {
        if (!_root.TryGetProperty(member, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
        {
            throw WrongType(member, "an integer");
        }

        return value < min ? throw Constraint(member, $"Member must have value greater than or equal to {min}")
            : value > max ? throw Constraint(member, $"Member must have value less than or equal to {max}")
            : value;
    }

    private List<string> StringList(string member, int min, int max)
    {
        if (!_root.TryGetProperty(member, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            throw Constraint(member, "Member must not be null");
        }

        if (element.ValueKind != JsonValueKind.Array || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw WrongType(member, "a list of strings");
        }

        var count = element.GetArrayLength();
        return count < min ? throw Constraint(member, $"Member must have length greater than or equal to {min}")
            : count > max ? throw Constraint(member, $"Member must have length less than or equal to {max}")
            : [.. element.EnumerateArray().Select(e => e.GetString()!)];
    }

    private static DataApiException Constraint(string member, string constraint) =>
        DataApiException.Validation($"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}");

    private static DataApiException WrongType(string member, string expected) =>
        new("SerializationException", $"'{member}' must be {expected}");

    [GeneratedRegex("^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:[0-9]{0,2})?$")]
    private static partial Regex StatementId();

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex ClusterIdentifierPattern();

    [GeneratedRegex("^([a-z0-9-]{3,63}|arn:(aws(-[a-z]+)*):redshift-serverless:([a-z]{2}(-gov|(-iso[a-z]?))?|eusc-[a-z]+)-[a-z]+-[0-9]{1}:[0-9]{12}:workgroup/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")]
    private static partial Regex WorkgroupNamePattern();

    [GeneratedRegex("^[0-9a-zA-Z_]+$")]
    private static partial Regex ParameterName();
}
