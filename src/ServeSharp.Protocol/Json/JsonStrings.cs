using System.Text.Json;
using ServeSharp.Abstractions;

namespace ServeSharp.Protocol.Json;

/// <summary>
/// Reads the current JSON string or property name token. <see cref="Utf8JsonReader"/> checks a string's bytes only when
/// it transcodes them, and then throws <see cref="InvalidOperationException"/>, which the server would take for its
/// own fault (500); text that is not UTF-8 is the caller's bad input, reported as KServe reports undecodable JSON.
/// </summary>
internal static class JsonStrings
{
    /// <summary>The token's text (the token must be a string or a property name).</summary>
    /// <exception cref="InferenceException">The text is not valid UTF-8 (InvalidInput).</exception>
    public static string Get(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotUtf8();
        }
    }

    /// <summary>
    /// Reads the next token; true when it is a property name. A name written with escapes is checked here, since
    /// <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/> throws <see cref="InvalidOperationException"/>
    /// for an escape that is not valid UTF-16 (a lone surrogate such as <c>\ud83d</c>).
    /// </summary>
    /// <exception cref="InferenceException">The name is not valid text (InvalidInput).</exception>
    public static bool ReadPropertyName(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            return false;
        }

        if (reader.ValueIsEscaped)
        {
            Get(ref reader);
        }

        return true;
    }

    /// <summary>Unescapes the token's text into <paramref name="destination"/>; the number of bytes written.</summary>
    /// <exception cref="InferenceException">The text is not valid UTF-8 (InvalidInput).</exception>
    public static int Copy(ref Utf8JsonReader reader, Span<byte> destination)
    {
        try
        {
            return reader.CopyString(destination);
        }
        catch (InvalidOperationException)
        {
            throw NotUtf8();
        }
    }

    private static InferenceException NotUtf8() =>
        InferenceException.InvalidInput(
            "Unrecognized request format: a JSON string is not valid UTF-8 or holds an invalid \\u escape.");
}
