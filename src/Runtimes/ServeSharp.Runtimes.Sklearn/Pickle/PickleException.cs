namespace ServeSharp.Runtimes.Sklearn.Pickle;

/// <summary>The file is not a pickle this reader accepts: malformed, over a limit, or using a refused global.</summary>
public class PickleException : Exception
{
    /// <summary>Creates the error.</summary>
    public PickleException(string message)
        : base(message)
    {
    }
}

/// <summary>The pickle names a global that is not on the allow-list. Nothing was executed.</summary>
public sealed class PickleSecurityException : PickleException
{
    /// <summary>Creates the error for <paramref name="global"/>.</summary>
    public PickleSecurityException(string global, string detail)
        : base($"refused global '{global}': {detail}; nothing from the file was executed")
    {
        Global = global;
    }

    /// <summary>The refused <c>module.name</c>.</summary>
    public string Global { get; }
}
