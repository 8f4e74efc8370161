using System.Text.Json.Serialization;

namespace ServerlessSync.Functions.Events;

/// <summary>
/// An S3 event notification as Lambda receives it: <c>{"Records":[{"eventName","s3":{"bucket":{"name"},"object":{"key","size"}}}]}</c>.
/// Only the members the load function reads are declared; the others are skipped. Object keys arrive
/// form-URL-encoded: decode them with <c>S3EventKeys.Decode</c>.
/// </summary>
public sealed record S3Notification([property: JsonPropertyName("Records")] IReadOnlyList<S3NotificationRecord> Records);

/// <summary>One record of an <see cref="S3Notification"/>; <see cref="EventName"/> is e.g. <c>ObjectCreated:Put</c>.</summary>
public sealed record S3NotificationRecord(string EventName, S3Entity S3)
{
    public string? EventSource { get; init; }

    public string? EventTime { get; init; }

    public bool IsObjectCreated => EventName.StartsWith("ObjectCreated:", StringComparison.Ordinal);
}

public sealed record S3Entity(S3BucketEntity Bucket, S3ObjectEntity Object);

public sealed record S3BucketEntity(string Name);

/// <summary>The object: its key as the event carries it (URL-encoded) and its size.</summary>
public sealed record S3ObjectEntity(string Key)
{
    public long? Size { get; init; }
}
