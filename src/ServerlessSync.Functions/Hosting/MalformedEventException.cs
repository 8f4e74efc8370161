namespace ServerlessSync.Functions.Hosting;

/// <summary>A function was given an input it cannot read; the message names the function and what is wrong.</summary>
public sealed class MalformedEventException(string message, Exception? innerException = null) : Exception(message, innerException);
