namespace ServerlessSync.Functions.Tests.Template;

/// <summary>The deployment files the template tests read, found from the test's output folder upwards.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string TemplatePath => Path.Combine(Root, "template.yaml");

    public static string StateMachinePath => Path.Combine(Root, "statemachine", "sync.asl.json");

    public static string MakefilePath => Path.Combine(Root, "Makefile");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ServerlessSync.sln")) && File.Exists(Path.Combine(folder.FullName, "template.yaml")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds ServerlessSync.sln and template.yaml");
    }
}
