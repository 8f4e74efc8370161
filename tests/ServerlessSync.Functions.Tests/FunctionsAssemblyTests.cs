namespace ServerlessSync.Functions.Tests;

public class FunctionsAssemblyTests
{
    [Fact]
    public void The_assembly_name_is_the_one_handler_strings_use() =>
        Assert.Equal(FunctionsAssembly.Name, typeof(FunctionsAssembly).Assembly.GetName().Name);
}
