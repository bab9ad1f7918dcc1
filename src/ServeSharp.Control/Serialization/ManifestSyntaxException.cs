namespace ServeSharp.Control.Serialization;

/// <summary>A manifest file is not valid YAML/JSON. The message is kubectl's wording, without the leading "error: ".</summary>
public sealed class ManifestSyntaxException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ManifestSyntaxException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ManifestSyntaxException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ManifestSyntaxException()
    {
    }
}
