using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Tests.Infrastructure;

/// <summary>Locates the built test replica app and makes process templates that run it.</summary>
public static class TestReplica
{
    public static string DllPath { get; } = BuiltApps.Locate("tests/ServeSharp.Local.TestReplica", "ServeSharp.Local.TestReplica.dll");

    /// <summary>A template running the test replica on $(PORT) with id $(REPLICA_ID) plus extra args.</summary>
    public static ProcessTemplate Template(ReadinessProbe? probe = null, IReadOnlyDictionary<string, string>? env = null, params string[] extraArgs) =>
        new(
            "dotnet",
            [DllPath, "--port", "$(PORT)", "--replica", "$(REPLICA_ID)", .. extraArgs],
            env ?? new Dictionary<string, string>(),
            null,
            ["http"],
            probe ?? ReadinessProbe.Tcp);

    /// <summary>A template with an extra HTTP/2-only <c>grpc</c> port, like a model server's separate gRPC port.</summary>
    public static ProcessTemplate WithGrpcPort() =>
        new(
            "dotnet",
            [DllPath, "--port", "$(PORT_HTTP)", "--grpc-port", "$(PORT_GRPC)", "--replica", "$(REPLICA_ID)"],
            new Dictionary<string, string>(),
            null,
            ["http", "grpc"],
            ReadinessProbe.Tcp);
}
