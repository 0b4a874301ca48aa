using DistBuild.Cli.Commands;

// `distbuild [--scheduler URL] COMMAND …` runs one command; with no command it opens the interactive prompt,
// which reads the same commands line by line from stdin.
var session = new CliSession(Console.In, Console.OpenStandardOutput);
var root = DistBuildCommands.Create(session);
return await root.Parse(args).InvokeAsync();
