namespace RedshiftDataDouble.Statements;

/// <summary>A statement failed with this error text (what DescribeStatement then reports in <c>Error</c>).</summary>
internal sealed class StatementFailedException(string error) : Exception(error);
