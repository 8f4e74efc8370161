using System.Text.Json;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Tests.Model;

public class WireEnumTests
{
    [Fact]
    public void Of_EveryStatusMember_IsItsJsonText()
    {
        AssertSameAsJson<ConnectorStatus>();
        AssertSameAsJson<RunStatus>();
        AssertSameAsJson<SyncMode>();
        AssertSameAsJson<RunMode>();
    }

    [Fact]
    public void Of_PascalCaseMembers_AreTheTextStoredBefore()
    {
        Assert.Equal(["IN_PROGRESS", "ACTIVE", "FAILED"], Enum.GetValues<ConnectorStatus>().Select(WireText.Of));
        Assert.Equal(["RUNNING", "SUCCEEDED", "FAILED"], Enum.GetValues<RunStatus>().Select(WireText.Of));
        Assert.Equal(["Historical", "Incremental"], Enum.GetValues<SyncMode>().Select(WireText.Of));
        Assert.Equal(["HISTORICAL", "INCREMENTAL", "MIXED"], Enum.GetValues<RunMode>().Select(WireText.Of));
    }

    [Fact]
    public void Parse_StoredText_ReadsTheMember()
    {
        Assert.Equal(ConnectorStatus.InProgress, WireText.Parse<ConnectorStatus>("IN_PROGRESS"));
        Assert.Equal(RunStatus.Succeeded, WireText.Parse<RunStatus>("SUCCEEDED"));
        Assert.Equal(SyncMode.Historical, WireText.Parse<SyncMode>("Historical"));
    }

    [Fact]
    public void Parse_MemberNameOrOtherText_Throws()
    {
        Assert.Throws<FormatException>(() => WireText.Parse<RunStatus>("Succeeded"));
        Assert.Throws<FormatException>(() => WireText.Parse<SyncMode>("HISTORICAL"));
        Assert.Throws<FormatException>(() => WireText.Parse<RunStatus>("1"));
    }

    private static void AssertSameAsJson<TEnum>()
        where TEnum : struct, Enum
    {
        foreach (var value in Enum.GetValues<TEnum>())
        {
            Assert.Equal($"\"{WireText.Of(value)}\"", JsonSerializer.Serialize(value));
            Assert.Equal(value, JsonSerializer.Deserialize<TEnum>($"\"{WireText.Of(value)}\""));
        }
    }
}
