using ServerlessSync.Functions.Events;

namespace ServerlessSync.Functions.Tests.Functions;

public sealed class StepErrorTextTests
{
    [Fact]
    public void ALambdaError_ReadsAsItsTypeAndMessage_WithoutTheStackTrace() =>
        Assert.Equal(
            "InvalidDataException: cannot load runs/a.manifest.json: it is empty",
            StepErrorText.Describe(new StepError("InvalidDataException")
            {
                Cause = """{"errorType":"InvalidDataException","errorMessage":"cannot load runs/a.manifest.json: it is empty","stackTrace":["at X.Y()"]}""",
            }));

    [Fact]
    public void ATaskFailureSentByTheLoad_ReadsAsErrorAndCause() =>
        Assert.Equal(
            "RedshiftLoadException: COPY into zuora.account failed: s3://b/k line 2, column amount (numeric): bad",
            StepErrorText.Describe(new StepError("RedshiftLoadException") { Cause = "COPY into zuora.account failed: s3://b/k line 2, column amount (numeric): bad" }));

    [Theory]
    [InlineData("States.Timeout", null, "States.Timeout: the task did not finish in time (for a load: no outcome arrived from the load; the staged files are kept)")]
    [InlineData("States.HeartbeatTimeout", "", "States.HeartbeatTimeout: the task stopped sending heartbeats (the staged files are kept)")]
    [InlineData("States.Timeout", "Map timed out", "States.Timeout: the task did not finish in time (for a load: no outcome arrived from the load; the staged files are kept): Map timed out")]
    [InlineData("Lambda.Unknown", null, "Lambda.Unknown")]
    [InlineData("States.Runtime", "{not lambda json", "States.Runtime: {not lambda json")]
    public void OtherErrors_KeepWhatTheySay(string error, string? cause, string expected) =>
        Assert.Equal(expected, StepErrorText.Describe(new StepError(error) { Cause = cause }));
}
