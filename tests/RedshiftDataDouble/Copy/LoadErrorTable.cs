using Npgsql;

namespace RedshiftDataDouble.Copy;

/// <summary>One failed line of a COPY, as Redshift's SYS_LOAD_ERROR_DETAIL shows it.</summary>
internal sealed record LoadError(
    long QueryId,
    int SessionId,
    string DatabaseName,
    long TableId,
    DateTimeOffset StartTime,
    string FileName,
    long LineNumber,
    string ColumnName,
    string ColumnType,
    string ColumnLength,
    int ErrorCode,
    string ErrorMessage,
    string RawLine,
    string RawFieldValue);

/// <summary>
/// The double's stand-in for Redshift's <c>SYS_LOAD_ERROR_DETAIL</c> view: a table of the same name and
/// column types in the instance database's <c>public</c> schema (CHAR columns are blank-padded, as in
/// Redshift, so readers <c>trim()</c> them). <c>raw_line</c> and <c>raw_field_value</c> are extras borrowed
/// from <c>STL_LOAD_ERRORS</c>: the real view does not have them. Rows are written on their own autocommitted
/// connection, so they survive the rollback of the failed load, as Redshift's do.
/// </summary>
internal sealed class LoadErrorTable(string connectionString)
{
    public const string CreateSql = """
        CREATE TABLE public.sys_load_error_detail (
            user_id integer,
            query_id bigint,
            transaction_id bigint,
            session_id integer,
            database_name character(64),
            table_id integer,
            start_time timestamp without time zone,
            file_name character(256),
            line_number bigint,
            column_name character(127),
            column_type character(10),
            column_length character(10),
            position integer,
            error_code integer,
            error_message character(512),
            raw_line character(1024),
            raw_field_value character(1024))
        """;

    // Redshift's user id of the first database user, whichever user ran the COPY (not mapped from the session's role).
    private const int UserId = 100;

    public async Task WriteAsync(LoadError error, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO public.sys_load_error_detail (user_id, query_id, transaction_id, session_id, database_name, table_id,
                start_time, file_name, line_number, column_name, column_type, column_length, position, error_code,
                error_message, raw_line, raw_field_value)
            VALUES ($1, $2, -1, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, $14, $15)
            """,
            connection);
        insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = UserId });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = error.QueryId });
        insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = error.SessionId });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Fit(error.DatabaseName, 64) });
        insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = unchecked((int)error.TableId) });
        insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = DateTime.SpecifyKind(error.StartTime.UtcDateTime, DateTimeKind.Unspecified) });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Fit(error.FileName, 256) });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = error.LineNumber });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Fit(error.ColumnName, 127) });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Fit(error.ColumnType, 10) });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Fit(error.ColumnLength, 10) });
        insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = error.ErrorCode });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Fit(error.ErrorMessage, 512) });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Fit(error.RawLine, 1024) });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Fit(error.RawFieldValue, 1024) });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Redshift's load error code (its "Load error reference") for a PostgreSQL failure of COPY: the SQLSTATE
    /// says what went wrong, the target column's type which of Redshift's codes names it.
    /// </summary>
    public static int RedshiftErrorCode(string sqlState, string message, string columnType) => sqlState switch
    {
        "22P04" when message.StartsWith("extra data", StringComparison.Ordinal) => 1202,
        "22P04" when message.StartsWith("missing data", StringComparison.Ordinal) => 1203,
        "22P04" => 1216,
        "22001" => 1204,
        "23502" => 1213,
        "22021" => 1220,
        "22003" when columnType is "int2" or "int4" or "int8" => 1222,
        "22003" => 1204,
        "22P02" or "22007" or "22008" => columnType switch
        {
            "int2" or "int4" or "int8" => 1207,
            "float4" or "float8" => 1208,
            "numeric" => 1209,
            "bool" => 1210,
            "date" => 1205,
            "timestamp" or "timestamptz" => 1206,
            _ => 1200,
        },
        _ => 1200,
    };

    private static string Fit(string value, int length) => value.Length <= length ? value : value[..length];
}
