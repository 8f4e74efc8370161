using Npgsql;
using RedshiftDataDouble.Copy;

namespace RedshiftDataDouble.Sql;

/// <summary>
/// Creates an instance's PostgreSQL database with Redshift's session behaviour and the strictness the options ask
/// for: SERIALIZABLE transactions, VARCHAR lengths in bytes (an event trigger gives every table with VARCHAR(n)
/// columns a row trigger that checks their UTF-8 length), and the NOSUPERUSER database users with their grants.
/// </summary>
internal static class DoubleDatabase
{
    // The row trigger raises PostgreSQL's own error for an over-long value (SQLSTATE 22001, "value too long for type
    // character varying(n)", which is also Redshift's text), naming the column, so COPY's load errors read as for a
    // value too long in characters.
    private const string VarcharBytesSql = """
        CREATE SCHEMA redshift_double;
        GRANT USAGE ON SCHEMA redshift_double TO PUBLIC;
        CREATE FUNCTION redshift_double.varchar_bytes() RETURNS trigger LANGUAGE plpgsql AS $fn$
        DECLARE
            row_values jsonb := to_jsonb(NEW);
            i integer := 0;
            v text;
        BEGIN
            WHILE i < TG_NARGS LOOP
                v := row_values ->> TG_ARGV[i];
                IF v IS NOT NULL AND octet_length(v) > TG_ARGV[i + 1]::integer THEN
                    RAISE EXCEPTION USING ERRCODE = '22001',
                        MESSAGE = format('value too long for type character varying(%s)', TG_ARGV[i + 1]),
                        DETAIL = format('%s bytes of UTF-8 in column %s: Redshift counts VARCHAR lengths in bytes', octet_length(v), TG_ARGV[i]),
                        COLUMN = TG_ARGV[i], TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
                END IF;
                i := i + 2;
            END LOOP;
            RETURN NEW;
        END
        $fn$;
        CREATE FUNCTION redshift_double.varchar_bytes_ddl() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER
            SET search_path = pg_catalog AS $fn$
        DECLARE
            created record;
            arguments text;
        BEGIN
            FOR created IN SELECT DISTINCT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'table' LOOP
                SELECT string_agg(quote_literal(a.attname) || ', ' || quote_literal((a.atttypmod - 4)::text), ', ' ORDER BY a.attnum)
                INTO arguments
                FROM pg_attribute a
                WHERE a.attrelid = created.objid AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.atttypid = 'varchar'::regtype AND a.atttypmod > 4;
                IF EXISTS (SELECT FROM pg_trigger WHERE tgrelid = created.objid AND tgname = 'redshift_varchar_bytes') THEN
                    EXECUTE format('DROP TRIGGER redshift_varchar_bytes ON %s', created.objid::regclass);
                END IF;
                IF arguments IS NOT NULL THEN
                    EXECUTE format(
                        'CREATE TRIGGER redshift_varchar_bytes BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION redshift_double.varchar_bytes(%s)',
                        created.objid::regclass, arguments);
                END IF;
            END LOOP;
        END
        $fn$;
        CREATE EVENT TRIGGER redshift_varchar_bytes ON ddl_command_end
            WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE')
            EXECUTE FUNCTION redshift_double.varchar_bytes_ddl();
        """;

    public static async Task CreateAsync(RedshiftDataDoubleOptions options, string databaseName, CancellationToken cancellationToken)
    {
        await using (var admin = new NpgsqlConnection(options.AdminConnectionString))
        {
            await admin.OpenAsync(cancellationToken);
            // Redshift's session behaviour, for every connection to this database: backslash escapes in string
            // literals, UTC timestamps, ISO dates; and its isolation level.
            var settings = new List<string>
            {
                $"CREATE DATABASE {databaseName}",
                $"ALTER DATABASE {databaseName} SET standard_conforming_strings = off",
                $"ALTER DATABASE {databaseName} SET escape_string_warning = off",
                $"ALTER DATABASE {databaseName} SET TimeZone = 'UTC'",
                $"ALTER DATABASE {databaseName} SET DateStyle = 'ISO, MDY'",
                $"ALTER DATABASE {databaseName} SET IntervalStyle = 'postgres'",
            };
            if (options.SerializableIsolation)
            {
                settings.Add($"ALTER DATABASE {databaseName} SET default_transaction_isolation = 'serializable'");
            }

            await ExecuteAsync(admin, settings, cancellationToken);
            if (options.RunAsDatabaseUser)
            {
                await CreateUsersAsync(admin, options, cancellationToken);
            }
        }

        await using var connection = new NpgsqlConnection(ConnectionString(options.AdminConnectionString, databaseName));
        await connection.OpenAsync(cancellationToken);
        // Redshift gives PUBLIC CREATE and USAGE on schema public (PostgreSQL 15 no longer gives CREATE).
        var setup = new List<string>
        {
            LoadErrorTable.CreateSql,
            "GRANT SELECT ON public.sys_load_error_detail TO PUBLIC",
            "GRANT CREATE, USAGE ON SCHEMA public TO PUBLIC",
        };
        if (options.VarcharLengthInBytes)
        {
            setup.Add(VarcharBytesSql);
        }

        if (options.RunAsDatabaseUser)
        {
            foreach (var user in DatabaseUsers(options))
            {
                setup.AddRange(options.DatabaseUserGrants.Select(grant => grant
                    .Replace("{database}", QuoteIdentifier(databaseName), StringComparison.Ordinal)
                    .Replace("{user}", QuoteIdentifier(user), StringComparison.Ordinal)));
            }
        }

        await ExecuteAsync(connection, setup, cancellationToken);
    }

    // Error details are kept: a serialization failure's reason is reported with Redshift's error 1023.
    public static string ConnectionString(string adminConnectionString, string databaseName) =>
        new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = databaseName, Pooling = false, IncludeErrorDetail = true }.ConnectionString;

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static IEnumerable<string> DatabaseUsers(RedshiftDataDoubleOptions options) =>
        options.Targets.Select(t => t.DatabaseUser).Distinct(StringComparer.Ordinal);

    // Roles belong to the whole PostgreSQL cluster, which other instances share: each user is created once (under an
    // advisory lock, so concurrent instances do not race) and never dropped; its grants live in this instance's database.
    private static async Task CreateUsersAsync(NpgsqlConnection admin, RedshiftDataDoubleOptions options, CancellationToken cancellationToken)
    {
        var adminUser = new NpgsqlConnectionStringBuilder(options.AdminConnectionString).Username;
        await using var transaction = await admin.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(admin, ["SELECT pg_advisory_xact_lock(4242, 1)"], cancellationToken);
        foreach (var user in DatabaseUsers(options))
        {
            if (string.Equals(user, adminUser, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"the database user '{user}' is the admin user of AdminConnectionString: the double would make it NOSUPERUSER; name another user or set RunAsDatabaseUser = false",
                    nameof(options));
            }

            await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname = $1", admin, transaction);
            exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
            var found = (long)(await exists.ExecuteScalarAsync(cancellationToken))! > 0;
            await ExecuteAsync(
                admin,
                [found
                    ? $"ALTER ROLE {QuoteIdentifier(user)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
                    : $"CREATE ROLE {QuoteIdentifier(user)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOLOGIN"],
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
