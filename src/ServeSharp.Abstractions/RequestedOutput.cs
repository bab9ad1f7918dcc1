namespace ServeSharp.Abstractions;

/// <summary>An output the caller asked for by name, with its parameters (e.g. <c>binary_data</c>).</summary>
public sealed record RequestedOutput(string Name, InferParameters Parameters)
{
    /// <summary>Asks for an output by name with no parameters.</summary>
    public RequestedOutput(string name)
        : this(name, new InferParameters())
    {
    }
}
