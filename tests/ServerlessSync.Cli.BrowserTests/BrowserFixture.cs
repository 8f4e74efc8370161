using Microsoft.Playwright;

namespace ServerlessSync.Cli.BrowserTests;

/// <summary>
/// One headless Debian chromium (<c>/usr/bin/chromium</c>, or <c>SSYNC_CHROMIUM</c>) driven by Playwright for the
/// test run; nothing is downloaded. The test command installs chromium with apt when it is missing. Screenshots go to
/// <see cref="Artifacts"/> (ignored by git).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests keep their screenshots: <c>tests/ServerlessSync.Cli.BrowserTests/artifacts/</c>.</summary>
    public static string Artifacts { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "artifacts"));

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("SSYNC_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"{chromium} is missing: install it with 'apt-get install -y chromium' (tests/stack/up.sh does), or set SSYNC_CHROMIUM");
        }

        Directory.CreateDirectory(Artifacts);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A new page of <paramref name="width"/> CSS pixels (a phone's 390, or a desktop's).</summary>
    public async Task<IPage> NewPageAsync(int width = 1200)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        return await context.NewPageAsync();
    }

    /// <summary>Keeps a full-page screenshot as <c>artifacts/NAME.png</c>.</summary>
    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
