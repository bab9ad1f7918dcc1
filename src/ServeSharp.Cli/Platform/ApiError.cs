namespace ServeSharp.Cli.Platform;

/// <summary>A request to the control API failed; the message is what kubectl would print.</summary>
internal sealed class ApiError(string message) : Exception(message);
