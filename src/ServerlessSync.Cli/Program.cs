using ServerlessSync.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error, TimeProvider.System, interactive: !Console.IsOutputRedirected);
