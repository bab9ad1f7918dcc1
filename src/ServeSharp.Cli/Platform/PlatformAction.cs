namespace ServeSharp.Cli.Platform;

/// <summary>Runs a verb body, turning API and argument errors into a message on stderr and exit code 1.</summary>
internal static class PlatformAction
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (ApiError e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    public static Local.Store.ResourceType ResolveType(string name) =>
        Local.Store.ResourceTypeRegistry.KServe.FindByName(name)
        ?? throw new ArgumentException($"the server doesn't have a resource type \"{name}\" (known: isvc, sr, csr, tm, ig)");
}
