using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.StepFunctions;

/// <summary>
/// The task token can no longer be answered: it was answered already, its task timed out, or it is not a
/// token Step Functions knows. With at-least-once delivery of the events that start a load, a second
/// answer for one token is expected and is treated as done by <see cref="StepFunctionsTaskCallbacks"/>.
/// </summary>
public abstract class TaskTokenClosedException : AwsServiceException
{
    private protected TaskTokenClosedException(AwsServiceError error) : base(error)
    {
    }

    public override bool IsRetryable => false;
}

/// <summary>TaskTimedOut: the task has timed out or its token has already been answered.</summary>
public sealed class TaskTimedOutException : TaskTokenClosedException
{
    internal TaskTimedOutException(AwsServiceError error) : base(error)
    {
    }
}

/// <summary>InvalidToken: Step Functions does not accept the token (malformed, or its execution is gone).</summary>
public sealed class InvalidTokenException : TaskTokenClosedException
{
    internal InvalidTokenException(AwsServiceError error) : base(error)
    {
    }
}

/// <summary>TaskDoesNotExist: the task the token names no longer exists.</summary>
public sealed class TaskDoesNotExistException : TaskTokenClosedException
{
    internal TaskDoesNotExistException(AwsServiceError error) : base(error)
    {
    }
}

/// <summary>InvalidOutput: the success output was not acceptable JSON. Our bug: never treated as done.</summary>
public sealed class InvalidOutputException : AwsServiceException
{
    internal InvalidOutputException(AwsServiceError error) : base(error)
    {
    }

    public override bool IsRetryable => false;
}

/// <summary>
/// ExecutionAlreadyExists: StartExecution was given a name that an execution of the state machine has (for 90 days),
/// with another input or after that execution closed. For a run id as the name: that run was started before.
/// </summary>
/// <summary>DescribeExecution named an execution Step Functions does not have (never started, or its history expired).</summary>
public sealed class ExecutionDoesNotExistException : AwsServiceException
{
    internal ExecutionDoesNotExistException(AwsServiceError error) : base(error)
    {
    }

    public override bool IsRetryable => false;
}

public sealed class ExecutionAlreadyExistsException : AwsServiceException
{
    internal ExecutionAlreadyExistsException(AwsServiceError error) : base(error)
    {
    }

    public override bool IsRetryable => false;
}
