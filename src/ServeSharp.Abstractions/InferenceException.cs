namespace ServeSharp.Abstractions;

/// <summary>
/// An error with a protocol-neutral <see cref="Kind"/> whose <see cref="Exception.Message"/> is safe to show to
/// the caller. Factory methods produce KServe's exact messages.
/// </summary>
public sealed class InferenceException : Exception
{
    /// <summary>Creates an error of the given kind.</summary>
    public InferenceException(InferenceErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>The error category.</summary>
    public InferenceErrorKind Kind { get; }

    /// <summary>A bad request.</summary>
    public static InferenceException InvalidInput(string message) => new(InferenceErrorKind.InvalidInput, message);

    /// <summary><c>Model with name {name} does not exist.</c></summary>
    public static InferenceException ModelNotFound(string name) =>
        new(InferenceErrorKind.ModelNotFound, $"Model with name {name} does not exist.");

    /// <summary><c>Model with name {name} is not ready.</c>, with an optional detail appended.</summary>
    public static InferenceException ModelNotReady(string name, string? detail = null) =>
        new(InferenceErrorKind.ModelNotReady,
            detail is null ? $"Model with name {name} is not ready." : $"Model with name {name} is not ready. {detail}");

    /// <summary>An operation that is not available.</summary>
    public static InferenceException NotImplemented(string message) => new(InferenceErrorKind.NotImplemented, message);
}
