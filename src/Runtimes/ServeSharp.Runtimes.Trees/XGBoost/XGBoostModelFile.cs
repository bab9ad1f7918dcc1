using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>Detects the encoding of an XGBoost model file from its content and parses it.</summary>
internal static class XGBoostModelFile
{
    /// <summary>File name endings xgbserver accepts.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".bst", ".json", ".ubj"];

    /// <summary>True when the first bytes look like an XGBoost model (binary magic, UBJSON or JSON object).</summary>
    public static bool LooksLikeXGBoost(ReadOnlySpan<byte> head)
    {
        if (XGBoostBinaryModelReader.HasMagic(head))
        {
            return true;
        }

        var text = head.TrimStart(" \t\r\n"u8);
        // JSON: {"learner"... ; UBJSON: {L<len>learner or {i<len>learner / {U<len>learner.
        return text.Length > 0 && text[0] == (byte)'{' && head.IndexOf("learner"u8) >= 0;
    }

    /// <summary>Parses <paramref name="bytes"/> read from <paramref name="path"/>.</summary>
    /// <exception cref="ModelLoadException">The file is not a valid, supported XGBoost model; the message names it.</exception>
    public static XGBoostPredictor Parse(string path, byte[] bytes)
    {
        try
        {
            XGBoostBooster booster;
            if (XGBoostBinaryModelReader.HasMagic(bytes))
            {
                booster = XGBoostBinaryModelReader.Read(bytes);
            }
            else
            {
                var start = bytes.AsSpan().IndexOfAnyExcept(" \t\r\n"u8);
                if (start < 0 || bytes[start] != '{')
                {
                    throw new FormatException("not an XGBoost model: expected the 'binf' magic, JSON or UBJSON");
                }

                // In JSON the byte after '{' is whitespace or '"'; in UBJSON it is a length marker (or '$'/'#').
                var next = start + 1 < bytes.Length ? bytes[start + 1] : (byte)'}';
                var document = next is (byte)'"' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'}'
                    ? LenientJsonReader.Parse(bytes)
                    : UbjsonReader.Parse(bytes);
                booster = XGBoostJsonModelReader.Read(document);
            }

            return XGBoostPredictor.Create(booster);
        }
        catch (FormatException e)
        {
            throw new ModelLoadException($"XGBoost model file {path} is invalid: {e.Message}", e);
        }
        catch (TreeStructureException e)
        {
            throw new ModelLoadException($"XGBoost model file {path} is invalid: {e.Message}", e);
        }
    }
}
