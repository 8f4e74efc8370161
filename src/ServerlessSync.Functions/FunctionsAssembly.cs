namespace ServerlessSync.Functions;

/// <summary>Marks the functions assembly; the handlers are the public <c>Task&lt;Stream&gt; …(Stream)</c> methods of its function classes.</summary>
public static class FunctionsAssembly
{
    public const string Name = "ServerlessSync.Functions";
}
