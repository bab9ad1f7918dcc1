namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>The pickled object graph is not a model this runtime can serve (unsupported class, missing attribute, ...).</summary>
public sealed class SklearnModelException : Exception
{
    /// <summary>Creates the error.</summary>
    public SklearnModelException(string message)
        : base(message)
    {
    }
}
