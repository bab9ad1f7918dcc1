namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// A tree or ensemble description is inconsistent (bad lengths, child index out of range or cycle, feature index
/// out of range, ...). Loaders catch it and report a <c>ModelLoadException</c> naming the file.
/// </summary>
public sealed class TreeStructureException : Exception
{
    /// <summary>Creates the error.</summary>
    public TreeStructureException(string message)
        : base(message)
    {
    }
}
