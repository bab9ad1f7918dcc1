using System.Buffers;
using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Binary;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.V2;

/// <summary>
/// Encodes an <see cref="InferenceResponse"/> as V2 REST JSON with KServe's exact layouts (protocol.md §3.3):
/// the all-JSON layout (<c>model_name, model_version, id, parameters, outputs</c>, nulls kept) or, when any
/// output is binary, the binary layout (<c>id, model_name, model_version, [parameters,] outputs</c>) followed by the
/// binary chunks.
/// </summary>
public static class V2ResponseEncoder
{
    /// <summary>
    /// Writes the response to <paramref name="output"/> and returns the JSON header length when binary data
    /// follows it (the <c>Inference-Header-Content-Length</c> value), or null for an all-JSON body.
    /// Output binary-ness follows Triton's rule: an output's <c>binary_data</c> parameter, else the request's
    /// <c>binary_data_output</c>, else JSON.
    /// </summary>
    /// <exception cref="InferenceException">An FP16/BF16 output was asked for as JSON, or BYTES that are not UTF-8.</exception>
    public static int? Encode(InferenceResponse response, InferenceRequest request, IBufferWriter<byte> output)
    {
        var outputs = response.Outputs;
        Span<bool> binaryFlags = outputs.Count <= 64 ? stackalloc bool[outputs.Count] : new bool[outputs.Count];
        var anyBinary = false;
        var defaultBinary = request.Parameters.Count > 0 && request.Parameters.GetBool(InferParameters.Names.BinaryDataOutput) == true;
        for (var i = 0; i < outputs.Count; i++)
        {
            var binary = IsBinary(outputs[i].Name, request.Outputs, defaultBinary);
            if (!binary && outputs[i].DataType is TensorDataType.FP16 or TensorDataType.BF16)
            {
                throw InferenceException.InvalidInput(
                    $"Sending {outputs[i].DataType.ToWireName()} data via JSON is not supported. Please use the binary data format for output {outputs[i].Name}");
            }

            binaryFlags[i] = binary;
            anyBinary |= binary;
        }

        var writer = CachedJsonWriter.Rent(output);
        try
        {
            if (anyBinary)
            {
                WriteBinaryLayoutHeader(writer, response, binaryFlags);
            }
            else
            {
                WriteJsonLayout(writer, response);
            }

            writer.Flush();
            if (!anyBinary)
            {
                return null;
            }

            var headerLength = checked((int)writer.BytesCommitted);
            for (var i = 0; i < outputs.Count; i++)
            {
                if (binaryFlags[i])
                {
                    var size = (int)BinaryTensorCodec.GetByteCount(outputs[i]);
                    var span = output.GetSpan(size)[..size];
                    BinaryTensorCodec.Write(outputs[i], span);
                    output.Advance(size);
                }
            }

            return headerLength;
        }
        finally
        {
            // Nothing is pending after the Flush above, so returning it writes nothing after the binary data.
            CachedJsonWriter.Return(writer);
        }
    }

    private static bool IsBinary(string name, IReadOnlyList<RequestedOutput>? requested, bool defaultBinary)
    {
        if (requested is not null)
        {
            foreach (var r in requested)
            {
                if (r.Name == name && r.Parameters.Count > 0 && r.Parameters.GetBool(InferParameters.Names.BinaryData) is { } b)
                {
                    return b;
                }
            }
        }

        return defaultBinary;
    }

    private static void WriteJsonLayout(Utf8JsonWriter writer, InferenceResponse response)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, response.ModelName);
        WriteNullableString(writer, "model_version"u8, response.ModelVersion);
        WriteNullableString(writer, "id"u8, response.Id);
        writer.WritePropertyName("parameters"u8);
        WriteParametersOrNull(writer, response.Parameters);
        writer.WriteStartArray("outputs"u8);
        var outputs = response.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            var tensor = outputs[i];
            writer.WriteStartObject();
            WriteTensorHead(writer, tensor);
            WriteJsonOutputParameters(writer, tensor.Parameters, nullWhenEmpty: true);
            writer.WritePropertyName("data"u8);
            TensorJsonDataWriter.WriteFlat(writer, tensor);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteBinaryLayoutHeader(Utf8JsonWriter writer, InferenceResponse response, ReadOnlySpan<bool> binaryFlags)
    {
        writer.WriteStartObject();
        WriteNullableString(writer, "id"u8, response.Id);
        writer.WriteString("model_name"u8, response.ModelName);
        WriteNullableString(writer, "model_version"u8, response.ModelVersion);
        writer.WriteStartArray("outputs"u8);
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var tensor = response.Outputs[i];
            writer.WriteStartObject();
            WriteTensorHead(writer, tensor);
            if (binaryFlags[i])
            {
                writer.WriteStartObject("parameters"u8);
                foreach (var (key, value) in tensor.Parameters)
                {
                    if (key != InferParameters.Names.BinaryDataSize)
                    {
                        writer.WritePropertyName(key);
                        JsonParameterCodec.WriteValue(writer, value);
                    }
                }

                writer.WriteNumber("binary_data_size"u8, BinaryTensorCodec.GetByteCount(tensor));
                writer.WriteEndObject();
            }
            else
            {
                WriteJsonOutputParameters(writer, tensor.Parameters, nullWhenEmpty: false);
                writer.WritePropertyName("data"u8);
                TensorJsonDataWriter.WriteFlat(writer, tensor);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (response.Parameters.Count > 0)
        {
            writer.WritePropertyName("parameters"u8);
            JsonParameterCodec.Write(writer, response.Parameters);
        }

        writer.WriteEndObject();
    }

    private static void WriteTensorHead(Utf8JsonWriter writer, Tensor tensor)
    {
        writer.WriteString("name"u8, tensor.Name);
        writer.WriteStartArray("shape"u8);
        foreach (var dim in tensor.Shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        writer.WriteString("datatype"u8, tensor.DataType.ToWireName());
    }

    /// <summary>
    /// Output parameters of a JSON output; a stale <c>binary_data_size</c> (e.g. copied from a binary input) is
    /// dropped, as KServe does.
    /// </summary>
    private static void WriteJsonOutputParameters(Utf8JsonWriter writer, InferParameters parameters, bool nullWhenEmpty)
    {
        var count = parameters.Count - (parameters.ContainsKey(InferParameters.Names.BinaryDataSize) ? 1 : 0);
        if (count == 0)
        {
            if (nullWhenEmpty)
            {
                writer.WriteNull("parameters"u8);
            }

            return;
        }

        writer.WriteStartObject("parameters"u8);
        foreach (var (key, value) in parameters)
        {
            if (key != InferParameters.Names.BinaryDataSize)
            {
                writer.WritePropertyName(key);
                JsonParameterCodec.WriteValue(writer, value);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteParametersOrNull(Utf8JsonWriter writer, InferParameters parameters)
    {
        if (parameters.Count == 0)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonParameterCodec.Write(writer, parameters);
        }
    }

    private static void WriteNullableString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
