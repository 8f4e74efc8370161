namespace ServerlessSync.Testing;

/// <summary>
/// Compares status records read back from a store with the ones written: every field, lists element by element,
/// times as instants to the tick (<see cref="DateTimeOffset"/> equality). The offset a store answers in is its own
/// (see <see cref="StatusSamples.RoundTripEveryTimeAsync"/>).
/// </summary>
public static class StatusAssert
{
    public static void Connector(ConnectorState expected, ConnectorState? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { SelectedObjects = [] }, actual with { SelectedObjects = [] });
        Assert.Equal(expected.SelectedObjects, actual.SelectedObjects);
    }

    public static void Run(RunRecord expected, RunRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Objects = [] }, actual with { Objects = [] });
        Assert.Equal(expected.Objects, actual.Objects);
    }
}
