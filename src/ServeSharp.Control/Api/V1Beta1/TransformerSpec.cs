namespace ServeSharp.Control.Api.V1Beta1;

/// <summary><c>spec.transformer</c>: custom containers (container[0] is the transformer) plus component extensions.</summary>
public sealed record TransformerSpec : ComponentSpec;
