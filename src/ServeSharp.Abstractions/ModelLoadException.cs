namespace ServeSharp.Abstractions;

/// <summary>
/// A model could not be loaded (missing, corrupt, hostile or unsupported files). The message names the file and the
/// problem and is safe to show in status conditions and API errors.
/// </summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates a load error.</summary>
    public ModelLoadException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
