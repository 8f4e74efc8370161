namespace ServerlessSync.Zuora.Tests.Source;

public class ZuoraSettingsTests
{
    private const string Secret = "s3cr3t-value-never-shown";

    [Theory]
    [InlineData("us", "https://rest.na.zuora.com/")]
    [InlineData("EU-Sandbox", "https://rest.sandbox.eu.zuora.com/")]
    [InlineData("apac-test", "https://rest.test.ap.zuora.com/")]
    [InlineData("https://rest.custom.example.com", "https://rest.custom.example.com/")]
    [InlineData("http://127.0.0.1:5000/", "http://127.0.0.1:5000/")]
    [InlineData("http://localhost:5000", "http://localhost:5000/")]
    public void Resolve_NameOrAllowedUrl_IsTheBaseUrl(string text, string expected) =>
        Assert.Equal(new Uri(expected), ZuoraEnvironments.Resolve(text));

    [Fact]
    public void Resolve_UnknownName_ListsKnownNames()
    {
        var error = Assert.Throws<ArgumentException>(() => ZuoraEnvironments.Resolve("mars"));

        Assert.Contains("'mars'", error.Message, StringComparison.Ordinal);
        Assert.Contains("us-cloud2-sandbox", error.Message, StringComparison.Ordinal);
        Assert.Contains("eu-test", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_PlainHttpToRemoteHost_Throws() =>
        Assert.Contains("https", Assert.Throws<ArgumentException>(() => ZuoraEnvironments.Resolve("http://rest.na.zuora.com")).Message, StringComparison.Ordinal);

    [Fact]
    public void Known_HasTheTenEnvironmentsOfTheContract() => Assert.Equal(10, ZuoraEnvironments.Known.Count);

    [Theory]
    [InlineData("{\"clientId\":\"abc\",\"clientSecret\":\"" + Secret + "\"}")]
    [InlineData("{\"client_id\":\"abc\",\"client_secret\":\"" + Secret + "\"}")]
    public void FromJson_EitherKeyForm_ReadsBoth(string json) =>
        Assert.Equal(new ZuoraCredentials("abc", Secret), ZuoraCredentials.FromJson(json));

    [Fact]
    public void FromJson_EntityIds_ReadForAMultiEntityTenant()
    {
        var credentials = ZuoraCredentials.FromJson("{\"clientId\":\"abc\",\"clientSecret\":\"" + Secret + "\",\"entityIds\":\" 8a8aa0d3762d2a4d \"}");

        Assert.Equal("8a8aa0d3762d2a4d", credentials.EntityIds);
        Assert.Null(ZuoraCredentials.FromJson("{\"clientId\":\"abc\",\"clientSecret\":\"x\"}").EntityIds);
        Assert.Throws<FormatException>(() => ZuoraCredentials.FromJson("{\"clientId\":\"abc\",\"clientSecret\":\"x\",\"entityIds\":\"a\\nb\"}"));
        Assert.DoesNotContain(Secret, credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_MissingSecret_NamesTheKeyWithoutValues()
    {
        var error = Assert.Throws<FormatException>(() => ZuoraCredentials.FromJson("{\"clientId\":\"abc-id-value\"}"));

        Assert.Contains("clientSecret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abc-id-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_InvalidJson_DoesNotEchoTheText()
    {
        var error = Assert.Throws<FormatException>(() => ZuoraCredentials.FromJson("{\"clientSecret\":\"" + Secret + "\" oops"));

        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NeverShowsTheSecret()
    {
        var text = new ZuoraCredentials("abc", Secret).ToString();

        Assert.Contains("abc", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_BothOrNeither_AreCredentialsOrNull()
    {
        var both = new Dictionary<string, string?> { ["ZUORA_CLIENT_ID"] = "id", ["ZUORA_CLIENT_SECRET"] = Secret };

        Assert.Equal(new ZuoraCredentials("id", Secret), ZuoraCredentials.FromEnvironment(both.GetValueOrDefault));
        Assert.Null(ZuoraCredentials.FromEnvironment(_ => null));
    }

    [Fact]
    public void FromEnvironment_OnlySecretSet_NamesTheMissingVariable()
    {
        var error = Assert.Throws<FormatException>(() => ZuoraCredentials.FromEnvironment(name => name == "ZUORA_CLIENT_SECRET" ? Secret : null));

        Assert.Contains("ZUORA_CLIENT_ID", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Pass() => new ZuoraOptions { BaseUrl = new Uri("https://rest.na.zuora.com") }.Validate();

    [Fact]
    public void Validate_ZeroConcurrentJobs_NamesTheSetting() =>
        Assert.Contains("MaxConcurrentJobs", Assert.Throws<ArgumentException>(() => new ZuoraOptions { BaseUrl = new Uri("https://x.example"), MaxConcurrentJobs = 0 }.Validate()).Message, StringComparison.Ordinal);

    [Fact]
    public void Validate_MaxPollBelowPoll_NamesTheSetting() =>
        Assert.Contains("MaxPollInterval", Assert.Throws<ArgumentException>(() => new ZuoraOptions { BaseUrl = new Uri("https://x.example"), PollInterval = TimeSpan.FromMinutes(2) }.Validate()).Message, StringComparison.Ordinal);

    [Fact]
    public void Catalog_ParentsFirstAndDeletesAsDocumented()
    {
        Assert.Equal(17, ZuoraCatalog.All.Count);
        Assert.Equal("product", ZuoraCatalog.All[0].Name);
        Assert.True(ZuoraCatalog.All.ToList().FindIndex(o => o.Name == "account") < ZuoraCatalog.All.ToList().FindIndex(o => o.Name == "subscription"));
        // Zuora documents deleted-record exports as unsupported for none of these objects (docs/zuora-wire.md).
        Assert.DoesNotContain(ZuoraCatalog.All, o => !o.ReportsDeletes);
        Assert.Equal("ProductRatePlanCharge", ZuoraCatalog.Find("productrateplancharge")!.ApiName);
        Assert.Null(ZuoraCatalog.Find("Account"));
    }
}
