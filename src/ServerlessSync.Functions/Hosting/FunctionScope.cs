namespace ServerlessSync.Functions.Hosting;

/// <summary>
/// Which function an asynchronous flow is running, for the length of one invocation: its name (<c>StartRun</c>,
/// <c>Extract</c>, …, <c>StatusApi</c>) and the settings it was composed from (<see cref="FunctionSettings"/>, or the
/// status API's <see cref="Api.StatusApiSettings"/>). Everything the invocation awaits sees it, the AWS calls its
/// clients make included: the tests attribute each call to its function's role with it.
/// </summary>
/// <param name="Function">the function's name</param>
/// <param name="Settings">the settings the function runs with</param>
internal sealed record FunctionScope(string Function, object Settings)
{
    private static readonly AsyncLocal<FunctionScope?> CurrentScope = new();

    /// <summary>The invocation this flow belongs to; null outside any.</summary>
    public static FunctionScope? Current => CurrentScope.Value;

    /// <summary>Runs <paramref name="invocation"/> as <paramref name="function"/> with <paramref name="settings"/>.</summary>
    public static async Task<T> RunAsync<T>(string function, object settings, Func<Task<T>> invocation)
    {
        var outer = CurrentScope.Value;
        CurrentScope.Value = new FunctionScope(function, settings);
        try
        {
            return await invocation();
        }
        finally
        {
            CurrentScope.Value = outer;
        }
    }
}
