namespace ServeSharp.Local.Supervision;

/// <summary>
/// What one replica runs. Each replica gets one free loopback port per name in <see cref="PortNames"/>, exposed as
/// environment variables <c>PORT</c> (the first) and <c>PORT_{NAME}</c> (upper-cased), plus <c>REPLICA_ID</c>.
/// <c>$(VAR)</c> in <see cref="Command"/> and <see cref="Arguments"/> expands from the replica's variables and
/// <see cref="Environment"/>, as Kubernetes expands container args; unknown names stay as written.
/// </summary>
/// <param name="Command">Executable path or name on PATH.</param>
/// <param name="Arguments">Arguments, passed without a shell.</param>
/// <param name="Environment">Extra environment variables (added to the daemon's).</param>
/// <param name="WorkingDirectory">Working directory, or null for the daemon's.</param>
/// <param name="PortNames">Port names, e.g. <c>["http", "grpc"]</c>; at least one.</param>
/// <param name="Readiness">Readiness probe.</param>
/// <param name="Handoff">
/// The process is <c>servesharp serve</c> and accepts client connections handed over by the ingress: on Linux, each
/// replica gets <c>--handoff-socket {run directory}/{replica id}.sock</c> appended to its arguments.
/// </param>
public sealed record ProcessTemplate(
    string Command,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string? WorkingDirectory,
    IReadOnlyList<string> PortNames,
    ReadinessProbe Readiness,
    bool Handoff = false)
{
    /// <summary>A template with one <c>http</c> port and a TCP probe.</summary>
    public static ProcessTemplate Simple(string command, params string[] arguments) =>
        new(command, arguments, new Dictionary<string, string>(), null, ["http"], ReadinessProbe.Tcp);

    /// <summary>Equality by content (records compare collections by reference), so a changed template is detected.</summary>
    public bool SameAs(ProcessTemplate other) =>
        Command == other.Command
        && Arguments.SequenceEqual(other.Arguments)
        && Environment.Count == other.Environment.Count
        && Environment.All(kv => other.Environment.TryGetValue(kv.Key, out var v) && v == kv.Value)
        && WorkingDirectory == other.WorkingDirectory
        && PortNames.SequenceEqual(other.PortNames)
        && Readiness == other.Readiness
        && Handoff == other.Handoff;
}
