using ServerlessSync.Core.Model;
using ServerlessSync.Core.Status;

namespace ServerlessSync.Core.Tests.Status;

/// <summary>The indented status JSON the CLI prints reads as written and stays JSON.</summary>
public class StatusJsonTests
{
    [Fact]
    public void Indented_ErrorWithApostropheAndAngleBrackets_IsWrittenAsIsAndParsesBack()
    {
        const string error = "invoice: Zuora's export job failed: <Invoice> & \"quoted\" text";
        var at = new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);
        var view = new ConnectorView { ConnectorId = "c1", Source = "zuora", Status = ConnectorStatus.Failed, LastError = error, CreatedAt = at, UpdatedAt = at };

        var json = StatusJsonContext.Indented(view, StatusJsonContext.Default.ConnectorView);

        Assert.Contains("\"lastError\": \"invoice: Zuora's export job failed: <Invoice> & \\\"quoted\\\" text\"", json, StringComparison.Ordinal);
        using var parsed = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(error, parsed.RootElement.GetProperty("lastError").GetString());
    }
}
