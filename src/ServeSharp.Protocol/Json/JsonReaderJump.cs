using System.Text.Json;

namespace ServeSharp.Protocol.Json;

/// <summary>
/// Moves a <see cref="Utf8JsonReader"/> past an array that <see cref="PlainNumberArrayScanner"/> has already read
/// (and so checked to be valid JSON), instead of tokenising its numbers a second time with <c>Skip()</c>.
/// <para>
/// The new reader reads the bytes after the array and starts from the state the old one would be in after the
/// array's closing bracket (obtained by letting it read a stand-in <c>]</c>). Two things differ from a reader that
/// read the array itself, and callers must allow for both: its token positions are relative to the end of the array
/// (add <c>end</c> to them), and the line and byte positions in a later <see cref="JsonException"/> message are wrong
/// — so on a <see cref="JsonException"/> a caller decodes the whole body again without jumping, which gives the
/// usual message.
/// </para>
/// </summary>
internal static class JsonReaderJump
{
    /// <summary>
    /// Returns a reader over <c>json[end..]</c> positioned just after an array: <paramref name="state"/> is the
    /// <see cref="Utf8JsonReader.CurrentState"/> of a reader of <paramref name="json"/> that has just read the array's
    /// <see cref="JsonTokenType.StartArray"/>, and the array ends (after its closing bracket) at <paramref name="end"/>.
    /// </summary>
    public static Utf8JsonReader PastArray(JsonReaderState state, ReadOnlySpan<byte> json, int end)
    {
        var standIn = new Utf8JsonReader("]"u8, isFinalBlock: false, state);
        if (!standIn.Read() || standIn.TokenType != JsonTokenType.EndArray)
        {
            throw new InvalidOperationException("The reader was not just inside an array.");
        }

        return new Utf8JsonReader(json[end..], isFinalBlock: true, standIn.CurrentState);
    }
}
