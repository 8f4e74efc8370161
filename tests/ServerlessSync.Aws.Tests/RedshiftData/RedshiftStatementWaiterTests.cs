using ServerlessSync.Aws.RedshiftData;
using ServerlessSync.Aws.Tests.Http;

namespace ServerlessSync.Aws.Tests.RedshiftData;

/// <summary>WaitForStatementAsync on a fake clock: polls, ends, failures and timeouts.</summary>
public sealed class RedshiftStatementWaiterTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Wait_StartedStartedFinished_ReturnsTheFinishedStatement()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint
            .AnswerJson("""{"Id":"st-1","Status":"STARTED"}""")
            .AnswerJson("""{"Id":"st-1","Status":"STARTED"}""")
            .AnswerJson("""{"Id":"st-1","Status":"FINISHED","ResultRows":12,"HasResultSet":false}""");
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);

        var wait = client.WaitForStatementAsync("st-1", Interval, TimeSpan.FromMinutes(5), CancellationToken.None);
        var delays = await time.AdvanceUntilCompletedAsync(wait);
        var statement = await wait;

        Assert.Equal(StatementStatus.Finished, statement.Status);
        Assert.Equal(12L, statement.ResultRows);
        Assert.Equal([Interval, Interval], delays);
        Assert.Equal(3, endpoint.Requests.Count);
        Assert.All(endpoint.Requests, r => Assert.Equal("RedshiftData.DescribeStatement", r.Header("X-Amz-Target")));
    }

    [Fact]
    public async Task Wait_BatchFailed_ThrowsWithErrorAndTheFailedSubStatement()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint
            .AnswerJson("""{"Id":"b-1","Status":"PICKED"}""")
            .AnswerJson("""
                {"Id":"b-1","Status":"FAILED","Error":"ERROR: Load into table 'account' failed. Check 'sys_load_error_detail' system table for details.",
                 "SubStatements":[
                   {"Id":"b-1:1","Status":"FINISHED","RedshiftQueryId":201,"QueryString":"create temp table s (like account)"},
                   {"Id":"b-1:2","Status":"FAILED","RedshiftQueryId":202,"QueryString":"copy s from 's3://b/k'","Error":"ERROR: Load into table 'account' failed. Check 'sys_load_error_detail' system table for details."},
                   {"Id":"b-1:3","Status":"ABORTED","QueryString":"merge into account using s"}]}
                """);
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);

        var wait = client.WaitForStatementAsync("b-1", Interval, TimeSpan.FromMinutes(5), CancellationToken.None);
        await time.AdvanceUntilCompletedAsync(wait);

        var failure = await Assert.ThrowsAsync<RedshiftStatementFailedException>(() => wait);
        Assert.Equal("b-1", failure.StatementId);
        Assert.Equal(StatementStatus.Failed, failure.Status);
        Assert.StartsWith("ERROR: Load into table 'account' failed", failure.Error, StringComparison.Ordinal);
        Assert.Equal(3, failure.SubStatements.Count);
        Assert.Equal("b-1:2", failure.FailedSubStatement!.Id);
        Assert.Equal(2, failure.FailedSubStatement.Position);
        Assert.Equal(202L, failure.FailedSubStatement.RedshiftQueryId);
        Assert.Contains("sub-statement 2 of 3", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Redshift query id 202", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_Aborted_Throws()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint.AnswerJson("""{"Id":"st-1","Status":"ABORTED"}""");
        using var client = TestAws.RedshiftData(endpoint);

        var failure = await Assert.ThrowsAsync<RedshiftStatementFailedException>(
            () => client.WaitForStatementAsync("st-1", Interval, TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Equal(StatementStatus.Aborted, failure.Status);
        Assert.Empty(failure.SubStatements);
        Assert.Null(failure.FailedSubStatement);
    }

    [Fact]
    public async Task Wait_StillRunningAtTheTimeout_ThrowsWithoutCancelling()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            endpoint.AnswerJson("""{"Id":"st-1","Status":"STARTED"}""");
        }

        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);

        var wait = client.WaitForStatementAsync("st-1", Interval, TimeSpan.FromSeconds(5), CancellationToken.None);
        var delays = await time.AdvanceUntilCompletedAsync(wait);

        var timeout = await Assert.ThrowsAsync<RedshiftStatementTimeoutException>(() => wait);
        Assert.Equal(("st-1", StatementStatus.Started), (timeout.StatementId, timeout.LastStatus));
        Assert.Equal([Interval, Interval, TimeSpan.FromSeconds(1)], delays);
        Assert.Equal(4, endpoint.Requests.Count);
        Assert.All(endpoint.Requests, r => Assert.Equal("RedshiftData.DescribeStatement", r.Header("X-Amz-Target")));
    }

    [Fact]
    public async Task Wait_ThrottledDescribe_IsRetriedInsideThePoll()
    {
        await using var endpoint = await RecordingEndpoint.StartAsync();
        endpoint
            .AnswerJson("""{"Id":"st-1","Status":"SUBMITTED"}""")
            .AnswerError(400, "ThrottlingException")
            .AnswerJson("""{"Id":"st-1","Status":"FINISHED"}""");
        var time = new ObservedTimeProvider();
        using var client = TestAws.RedshiftData(endpoint, time);

        var wait = client.WaitForStatementAsync("st-1", Interval, TimeSpan.FromMinutes(1), CancellationToken.None);
        var delays = await time.AdvanceUntilCompletedAsync(wait);

        Assert.Equal(StatementStatus.Finished, (await wait).Status);
        Assert.Equal([Interval, TimeSpan.FromMilliseconds(100)], delays);
    }
}
