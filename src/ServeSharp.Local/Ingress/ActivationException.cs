namespace ServeSharp.Local.Ingress;

/// <summary>The activator could not get a replica for a held request (queue full or timeout); answered with 503.</summary>
public sealed class ActivationException(string message) : Exception(message);
