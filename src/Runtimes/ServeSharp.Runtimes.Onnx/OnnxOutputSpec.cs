using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>One tensor output of the graph: name and datatype.</summary>
internal sealed record OnnxOutputSpec(string Name, TensorDataType DataType);
