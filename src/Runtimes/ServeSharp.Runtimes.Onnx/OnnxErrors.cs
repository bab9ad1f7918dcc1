using Microsoft.ML.OnnxRuntime;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>Turns ONNX Runtime exceptions into messages fit for a caller.</summary>
internal static class OnnxErrors
{
    /// <summary>
    /// The ONNX Runtime message without its <c>[ErrorCode:...]</c> and <c>Load model from {path} failed:</c>
    /// prefixes (our own messages name the file already).
    /// </summary>
    public static string Describe(OnnxRuntimeException exception)
    {
        var message = exception.Message;
        if (message.StartsWith("[ErrorCode:", StringComparison.Ordinal))
        {
            var end = message.IndexOf(']', StringComparison.Ordinal);
            if (end > 0)
            {
                message = message[(end + 1)..].TrimStart();
            }
        }

        const string LoadPrefix = "Load model from ";
        const string LoadSuffix = " failed:";
        if (message.StartsWith(LoadPrefix, StringComparison.Ordinal))
        {
            var end = message.IndexOf(LoadSuffix, StringComparison.Ordinal);
            if (end > 0)
            {
                message = message[(end + LoadSuffix.Length)..].TrimStart();
            }
        }

        return message;
    }
}
