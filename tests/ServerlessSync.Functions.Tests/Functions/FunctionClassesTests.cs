using System.Reflection;
using ServerlessSync.Functions.Hosting;

namespace ServerlessSync.Functions.Tests.Functions;

/// <summary>What the Lambda runtime needs of each function class, named by its handler string.</summary>
public sealed class FunctionClassesTests
{
    public static TheoryData<string> HandlerStrings => new()
    {
        "ServerlessSync.Functions::ServerlessSync.Functions.StartRunFunction::HandleAsync",
        "ServerlessSync.Functions::ServerlessSync.Functions.ExtractFunction::HandleAsync",
        "ServerlessSync.Functions::ServerlessSync.Functions.LoadFunction::HandleAsync",
        "ServerlessSync.Functions::ServerlessSync.Functions.LoadCompletedFunction::HandleAsync",
        "ServerlessSync.Functions::ServerlessSync.Functions.RecordObjectFunction::HandleAsync",
        "ServerlessSync.Functions::ServerlessSync.Functions.CleanupFunction::HandleAsync",
        "ServerlessSync.Functions::ServerlessSync.Functions.FinishRunFunction::HandleAsync",
        "ServerlessSync.Functions::ServerlessSync.Functions.DoctorFunction::HandleAsync",
    };

    [Theory]
    [MemberData(nameof(HandlerStrings))]
    public void TheHandlerString_NamesAPublicClassWithAParameterlessConstructor_AndAStreamHandlerOfItsOwn(string handler)
    {
        var parts = handler.Split("::");
        var type = typeof(FunctionsAssembly).Assembly.GetType(parts[1], throwOnError: true)!;
        var method = type.GetMethod(parts[2], BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly, [typeof(Stream)]);

        Assert.Equal(FunctionsAssembly.Name, parts[0]);
        Assert.True(type.IsPublic && !type.IsAbstract);
        Assert.NotNull(type.GetConstructor(Type.EmptyTypes));
        Assert.Equal(typeof(Task<Stream>), method!.ReturnType);
    }

    [Fact]
    public async Task AFunctionBuiltByTheRuntime_WithoutItsEnvironment_FailsNamingTheMissingVariable()
    {
        Assert.Null(Environment.GetEnvironmentVariable("STAGING_BUCKET"));

        var error = await Assert.ThrowsAsync<FunctionSettingsException>(() => new CleanupFunction().HandleAsync(new MemoryStream("""{"manifestKey":"a.manifest.json"}"""u8.ToArray())));

        Assert.Equal("STAGING_BUCKET", error.Variable);
        Assert.StartsWith("environment variable STAGING_BUCKET is not set", error.Message, StringComparison.Ordinal);
    }
}
