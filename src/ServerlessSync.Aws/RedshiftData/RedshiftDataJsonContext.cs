using System.Text.Json.Serialization;
using ServerlessSync.Aws.Http;

namespace ServerlessSync.Aws.RedshiftData;

/// <summary>Source-generated JSON for the Data API's inputs and outputs: null members omitted, timestamps as epoch seconds.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = new[] { typeof(EpochSecondsConverter) })]
[JsonSerializable(typeof(ExecuteStatementRequest))]
[JsonSerializable(typeof(ExecuteStatementResponse))]
[JsonSerializable(typeof(BatchExecuteStatementRequest))]
[JsonSerializable(typeof(BatchExecuteStatementResponse))]
[JsonSerializable(typeof(DescribeStatementRequest))]
[JsonSerializable(typeof(DescribeStatementResponse))]
[JsonSerializable(typeof(GetStatementResultRequest))]
[JsonSerializable(typeof(GetStatementResultResponse))]
[JsonSerializable(typeof(CancelStatementRequest))]
[JsonSerializable(typeof(CancelStatementResponse))]
internal sealed partial class RedshiftDataJsonContext : JsonSerializerContext;
