using System.CommandLine;
using ServeSharp.Serving;

namespace ServeSharp.Cli.Commands;

/// <summary>The verbs of the <c>servesharp</c> tool, in help order.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        // One line per verb.
        yield return ServeCommand.Create();
        yield return ValidateCommand.Create();
        yield return ApplyCommand.Create();
        yield return StorageInitializerCommand.Create();
        yield return UpCommand.Create();
        yield return GetCommand.Create();
        yield return DescribeCommand.Create();
        yield return DeleteCommand.Create();
        yield return LogsCommand.Create();
        yield return PromoteCommand.Create();
    }
}
