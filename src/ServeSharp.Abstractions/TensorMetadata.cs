namespace ServeSharp.Abstractions;

/// <summary>Name, datatype and shape of a model input or output; -1 marks a variable dimension.</summary>
public sealed record TensorMetadata(string Name, TensorDataType DataType, long[] Shape);
