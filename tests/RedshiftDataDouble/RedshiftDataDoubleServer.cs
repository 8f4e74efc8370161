using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RedshiftDataDouble.Copy;
using RedshiftDataDouble.Protocol;
using RedshiftDataDouble.Sql;
using RedshiftDataDouble.Statements;

namespace RedshiftDataDouble;

/// <summary>
/// A test double of the Redshift Data API: an HTTP endpoint on 127.0.0.1 speaking the service's JSON protocol,
/// running the SQL on a PostgreSQL 15 database of its own (created at start, dropped at dispose) and serving
/// <c>COPY … FROM 's3://…'</c> from an S3 client. See README.md for what it does not reproduce.
/// </summary>
public sealed class RedshiftDataDoubleServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StatementService _statements;
    private readonly DataApiEndpoint _endpoint;
    private readonly string _adminConnectionString;
    private int _disposed;

    private RedshiftDataDoubleServer(
        WebApplication app,
        StatementService statements,
        DataApiEndpoint endpoint,
        string adminConnectionString,
        string databaseName,
        string databaseConnectionString,
        Uri endpointUri)
    {
        _app = app;
        _statements = statements;
        _endpoint = endpoint;
        _adminConnectionString = adminConnectionString;
        DatabaseName = databaseName;
        DatabaseConnectionString = databaseConnectionString;
        Endpoint = endpointUri;
    }

    /// <summary>Where the double listens, e.g. <c>http://127.0.0.1:41234/</c>: the client's service URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>The PostgreSQL database this instance runs every statement in.</summary>
    public string DatabaseName { get; }

    /// <summary>
    /// An Npgsql connection string for <see cref="DatabaseName"/> (no pooling) as the PostgreSQL superuser, for tests to
    /// set up tables and check outcomes directly. Connections get the same session settings as the double's statements
    /// (standard_conforming_strings off, TimeZone UTC, SERIALIZABLE unless switched off) but not their database user.
    /// </summary>
    public string DatabaseConnectionString { get; }

    /// <summary>Every call received so far, in order of completion, errors included.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => _endpoint.Received;

    /// <summary>
    /// Raised once when a submission made with <c>WithEvent: true</c> ends (FINISHED, FAILED or ABORTED), after its final
    /// status is visible to DescribeStatement: where the Data API would put its "Redshift Data Statement Status Change"
    /// event on EventBridge. The double sends no event itself; a subscriber plays the delivery (to a function, once or
    /// more, now or later). Raised on the statement's background task: a subscriber with slow work should start it and
    /// return. What a subscriber throws is kept in <see cref="StatementEndedErrors"/>.
    /// </summary>
    public event Action<StatementEnded>? StatementEnded
    {
        add => _statements.Ended += value;
        remove => _statements.Ended -= value;
    }

    /// <summary>What <see cref="StatementEnded"/>'s subscribers threw, in order (the statements went on regardless).</summary>
    public IReadOnlyCollection<Exception> StatementEndedErrors => _statements.EndedErrors;

    /// <summary>Creates the database and starts listening on a free loopback port.</summary>
    public static async Task<RedshiftDataDoubleServer> StartAsync(RedshiftDataDoubleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var databaseName = $"redshift_double_{Guid.NewGuid():N}";
        try
        {
            await DoubleDatabase.CreateAsync(options, databaseName, cancellationToken);
            var databaseConnectionString = DoubleDatabase.ConnectionString(options.AdminConnectionString, databaseName);
            var runner = new StatementRunner(
                databaseConnectionString,
                new S3CopyLoader(options.S3, new LoadErrorTable(databaseConnectionString), options.TransactionIsolation, options.NullStringMatchesQuotedFields, options.TimeProvider),
                options,
                options.TimeProvider);
            var statements = new StatementService(options, runner);
            var endpoint = new DataApiEndpoint(statements, options.TimeProvider);

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
            var app = builder.Build();
            app.Run(endpoint.HandleAsync);
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new RedshiftDataDoubleServer(
                app, statements, endpoint, options.AdminConnectionString, databaseName, databaseConnectionString, new Uri(address + "/"));
        }
        catch
        {
            await DropDatabaseAsync(options.AdminConnectionString, databaseName);
            throw;
        }
    }

    /// <summary>
    /// Answers the next <paramref name="count"/> calls of <paramref name="operation"/> (e.g. "ExecuteStatement")
    /// with the error <paramref name="errorCode"/> (e.g. "ActiveStatementsExceededException", "ThrottlingException"),
    /// before looking at their input: nothing runs. HTTP 500 for the model's faults (InternalServerException,
    /// ExecuteStatementException, BatchExecuteStatementException, DatabaseConnectionException), 503 for
    /// ServiceUnavailableException, 400 otherwise.
    /// </summary>
    public void FailNextCalls(string operation, string errorCode, int count = 1, string? message = null)
    {
        if (!DataApiRequest.Operations.Contains(operation, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{operation}' is not an operation the double serves: {string.Join(", ", DataApiRequest.Operations)}", nameof(operation));
        }

        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _endpoint.AddFaults(operation, errorCode, count, message ?? $"Injected by the test: {errorCode}");
    }

    /// <summary>Runs <paramref name="sql"/> directly on the instance's database and returns its rows, each as column name → value (null for NULL).</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Aborts running statements, stops listening and drops the database.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _statements.StopAsync();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        finally
        {
            await DropDatabaseAsync(_adminConnectionString, DatabaseName);
        }
    }

    private static async Task DropDatabaseAsync(string adminConnectionString, string databaseName)
    {
        await using var admin = new NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {databaseName} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
