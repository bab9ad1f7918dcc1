using System.Buffers;
using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.V1;

/// <summary>
/// Encodes a model's outputs as a KServe V1 response: one output → <c>{"predictions": &lt;nested per shape&gt;}</c>;
/// several outputs → <c>{"predictions": [{"out1": v, "out2": v}, ...]}</c>, one object per row (KServe's DataFrame
/// rendering), which needs every output to have the same first dimension.
/// </summary>
public static class V1ResponseEncoder
{
    /// <summary>Writes the <c>:predict</c> response.</summary>
    /// <exception cref="InferenceException">Several outputs with different row counts (inference failure).</exception>
    public static void EncodePredictions(InferenceResponse response, IBufferWriter<byte> output)
    {
        var writer = CachedJsonWriter.Rent(output);
        writer.WriteStartObject();
        writer.WritePropertyName("predictions"u8);
        var outputs = response.Outputs;
        if (outputs.Count == 0)
        {
            writer.WriteStartArray();
            writer.WriteEndArray();
        }
        else if (outputs.Count == 1)
        {
            TensorJsonDataWriter.WriteNested(writer, outputs[0]);
        }
        else
        {
            WriteRows(writer, outputs);
        }

        writer.WriteEndObject();
        CachedJsonWriter.Return(writer);
    }

    /// <summary>
    /// Writes an <c>:explain</c> response: one JSON property per output, named after it, holding its nested values
    /// (an explainer returning outputs <c>predictions</c> and <c>explanations</c> gives KServe's usual body).
    /// </summary>
    public static void EncodeExplanation(InferenceResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWriterSettings.Options);
        writer.WriteStartObject();
        foreach (var tensor in response.Outputs)
        {
            writer.WritePropertyName(tensor.Name);
            TensorJsonDataWriter.WriteNested(writer, tensor);
        }

        writer.WriteEndObject();
    }

    private static void WriteRows(Utf8JsonWriter writer, IReadOnlyList<Tensor> outputs)
    {
        var rows = outputs[0].Shape.Length > 0 ? outputs[0].Shape[0] : -1;
        foreach (var tensor in outputs)
        {
            if (tensor.Shape.Length == 0 || tensor.Shape[0] != rows)
            {
                throw new InferenceException(
                    InferenceErrorKind.InferenceFailed,
                    $"The model returned outputs with different row counts ({string.Join(", ", outputs.Select(o => $"'{o.Name}' [{string.Join(',', o.Shape)}]"))}), " +
                    "which a V1 response cannot combine into rows.");
            }
        }

        writer.WriteStartArray();
        for (long row = 0; row < rows; row++)
        {
            writer.WriteStartObject();
            foreach (var tensor in outputs)
            {
                writer.WritePropertyName(tensor.Name);
                TensorJsonDataWriter.WriteRow(writer, tensor, row);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
