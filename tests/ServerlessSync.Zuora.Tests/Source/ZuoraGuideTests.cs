using System.Text.RegularExpressions;
using ServerlessSync.Testing;
using ServerlessSync.Testing.Zuora;

namespace ServerlessSync.Zuora.Tests.Source;

/// <summary>
/// The guide's commands as a new user runs them: each <c>doctor --source zuora</c> checks the objects the <c>sync</c>
/// after it syncs, and the doctor of "Trying it without a tenant" passes against the fake the guide starts.
/// </summary>
public partial class ZuoraGuideTests
{
    [Theory]
    [InlineData("docs/zuora-source.md")]
    [InlineData("docs/sources.md")]
    [InlineData("README.md")]
    public void Commands_EachZuoraDoctor_SelectsTheObjectsOfTheSyncAfterIt(string document)
    {
        var commands = Commands(document);
        var doctors = commands.Select((c, i) => (Command: c, At: i)).Where(c => c.Command.Verb == "doctor").ToList();

        Assert.NotEmpty(doctors);
        foreach (var (doctor, at) in doctors)
        {
            var sync = commands.Skip(at + 1).FirstOrDefault(c => c.Verb == "sync");
            Assert.True(sync is not null, $"{document}: no sync after '{doctor.Text}'");
            Assert.True(doctor.Objects is not null, $"{document}: '{doctor.Text}' checks every object the source knows, not the ones its sync selects");
            Assert.Equal(sync.Objects, doctor.Objects);
        }
    }

    [Fact]
    public async Task TryingItWithoutATenant_DoctorOfTheGuide_PassesEveryCheckAgainstTheFake()
    {
        var guide = File.ReadAllText(InRepository("docs/zuora-source.md"));
        var section = guide[guide.IndexOf("## Trying it without a tenant", StringComparison.Ordinal)..];
        var doctor = Commands(section, "zuora-source.md").First(c => c.Verb == "doctor");
        var now = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        await using var fake = await FakeZuora.StartAsync(FakeZuoraTenant.CreateSample(3, seed: 1, now: now.AddMinutes(-1)));
        using var check = new ZuoraDoctor(new ZuoraOptions { BaseUrl = fake.Url }, new ZuoraCredentials(fake.Options.ClientId, fake.Options.ClientSecret), new ImmediateTimeProvider(now));

        var checks = await check.CheckAsync(doctor.Objects!.Split(','), CancellationToken.None);

        Assert.All(checks, c => Assert.True(c.Passed, $"{c.Subject}: {c.Message}"));
    }

    private sealed record CliCommand(string Verb, string? Objects, string Text);

    private static List<CliCommand> Commands(string document) => Commands(File.ReadAllText(InRepository(document)), document);

    /// <summary>The <c>doctor</c> and <c>sync</c> commands with <c>--source zuora</c> in <paramref name="text"/>, in order, continuation lines joined.</summary>
    private static List<CliCommand> Commands(string text, string document)
    {
        var joined = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\\\n", " ", StringComparison.Ordinal);
        var commands = CommandPattern().Matches(joined)
            .Select(m => new CliCommand(m.Groups["verb"].Value, Option(m.Value, "--objects"), m.Value.Trim()))
            .Where(c => c.Text.Contains("--source zuora", StringComparison.Ordinal))
            .ToList();
        Assert.True(commands.Count > 0, $"{document} has no zuora command");
        return commands;
    }

    /// <summary>The value after <paramref name="option"/> in <paramref name="command"/>, or null when it is not there.</summary>
    private static string? Option(string command, string option)
    {
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(words, option);
        return at >= 0 && at + 1 < words.Length ? words[at + 1] : null;
    }

    private static string InRepository(string path)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ServerlessSync.sln")))
            {
                return Path.Combine(folder.FullName, path);
            }
        }

        throw new DirectoryNotFoundException($"no ServerlessSync.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"src/ServerlessSync\.Cli -- (?<verb>doctor|sync)\b[^\n`]*")]
    private static partial Regex CommandPattern();
}
