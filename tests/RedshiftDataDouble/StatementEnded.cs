namespace RedshiftDataDouble;

/// <summary>
/// A submission made with <c>WithEvent</c> has ended: what the Data API's EventBridge event ("Redshift Data Statement
/// Status Change", source <c>aws.redshift-data</c>) says about it in its <c>detail</c> and <c>resources</c>.
/// </summary>
/// <param name="StatementId">the submission's <c>Id</c> (a batch's own id, not a sub-statement's)</param>
/// <param name="StatementName">the request's <c>StatementName</c>, if it had one</param>
/// <param name="State"><c>FINISHED</c>, <c>FAILED</c> or <c>ABORTED</c></param>
/// <param name="Rows">
/// rows the submission affected or returned, as DescribeStatement's <c>ResultRows</c> reports them (for a batch, the
/// sum over its statements; -1 when none ran). What Redshift puts in the event's <c>rows</c> for a batch is not
/// documented.
/// </param>
/// <param name="RedshiftQueryId">as DescribeStatement reports it: 0 for a batch, the statement's query id otherwise</param>
/// <param name="ClusterIdentifier">the cluster the request named, if any</param>
/// <param name="WorkgroupName">the workgroup the request named, if any</param>
/// <param name="EndedAt">when the submission ended, on the double's clock</param>
public sealed record StatementEnded(
    string StatementId,
    string? StatementName,
    string State,
    long Rows,
    long RedshiftQueryId,
    string? ClusterIdentifier,
    string? WorkgroupName,
    DateTimeOffset EndedAt);
