using System.Text.Json.Serialization;

namespace ServerlessSync.Functions.Events;

/// <summary>
/// Every event and message the functions read or write, source-generated: camelCase, nulls left out, enums as
/// text (each declares its <c>WireEnumConverter</c>). Reading is strict where it matters: constructor parameters are required, and a non-nullable
/// member given <c>null</c> is an error naming its path.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(S3Notification))]
[JsonSerializable(typeof(DataApiStatusEvent))]
[JsonSerializable(typeof(StartRunInput))]
[JsonSerializable(typeof(RunMessage))]
[JsonSerializable(typeof(ExtractInput))]
[JsonSerializable(typeof(ExtractOutput))]
[JsonSerializable(typeof(SubmitExportInput))]
[JsonSerializable(typeof(CheckExportInput))]
[JsonSerializable(typeof(ExportOutput))]
[JsonSerializable(typeof(LoadOutput))]
[JsonSerializable(typeof(LoadCompletedOutput))]
[JsonSerializable(typeof(LoadReportMessage))]
[JsonSerializable(typeof(RecordObjectInput))]
[JsonSerializable(typeof(RecordObjectOutput))]
[JsonSerializable(typeof(CleanupInput))]
[JsonSerializable(typeof(CleanupOutput))]
[JsonSerializable(typeof(FinishRunInput))]
[JsonSerializable(typeof(FinishRunOutput))]
[JsonSerializable(typeof(DoctorInput))]
[JsonSerializable(typeof(DoctorOutput))]
[JsonSerializable(typeof(LambdaErrorCause))]
public sealed partial class FunctionJsonContext : JsonSerializerContext;
