using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// One tensor output of the graph: name, datatype and, when the graph declares it, how to know the output's shape
/// before the run (<see cref="OnnxOutputShape"/>), so the output can be written straight into the response's array.
/// </summary>
internal sealed record OnnxOutputSpec(string Name, TensorDataType DataType, OnnxOutputShape? Shape = null);
