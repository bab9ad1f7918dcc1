using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// Runs a Kubernetes container spec as a local process. The container's <c>command</c> + <c>args</c> run without a
/// shell, its <c>env</c> values are set; what a pod would have is mapped to this machine:
/// <list type="bullet">
/// <item>the container ports (KServe's default 8080 when none are declared) become free loopback ports: an argument or
/// env value that is the port number, or ends in <c>=8080</c> / <c>:8080</c>, gets the replica's port instead
/// (<c>$(PORT_HTTP)</c>, or <c>$(PORT_GRPC)</c> for a port named <c>grpc…</c>/<c>h2c…</c>); <c>$(PORT)</c> works too;</item>
/// <item><c>/mnt/models</c> (where KServe mounts the model) becomes the locally fetched model directory;</item>
/// <item>a <c>servesharp</c> command runs this same ServeSharp installation.</item>
/// </list>
/// An image without a command has no local equivalent, which <see cref="Map"/> reports.
/// </summary>
public sealed partial class ContainerProcessMapper(LocalPlatformOptions options)
{
    /// <summary>Where KServe's storage initializer puts the model in the pod.</summary>
    public const string ModelMountPath = "/mnt/models";

    private const int DefaultContainerPort = 8080;

    /// <summary>The process for <paramref name="container"/>, or the reason it cannot run locally.</summary>
    public (ProcessTemplate? Template, string? Error) Map(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (container.Command is not { Count: > 0 } command || string.IsNullOrWhiteSpace(command[0]))
        {
            return (null, $"container image \"{container.Image}\" has no local mapping: give the container a command (and args) to run it as a local process; "
                + "use $(PORT) (or the container port, e.g. 8080) for the port to listen on and /mnt/models for the model directory");
        }

        var ports = PortMap(container);
        string Rewrite(string value)
        {
            foreach (var (number, variable) in ports.ByNumber)
            {
                value = PortToken(number).Replace(value, "${prefix}" + variable);
            }

            return value.Replace(ModelMountPath, "$(MODEL_DIR)", StringComparison.Ordinal);
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            if (variable.Name is not null && variable.Value is not null)
            {
                env[variable.Name] = Rewrite(variable.Value);
            }
        }

        var executable = command[0];
        var leading = new List<string>();
        if (executable == "servesharp" && options.ServeCommand.Count > 0)
        {
            // `servesharp serve …` may run the natively compiled model server; other verbs need the full tool.
            var self = command.Skip(1).Concat(container.Args ?? []).FirstOrDefault() == "serve"
                ? options.EffectiveModelServerCommand
                : options.ServeCommand;
            executable = self[0];
            leading.AddRange(self.Skip(1));
        }

        var args = leading.Concat(command.Skip(1).Concat(container.Args ?? []).Select(Rewrite)).ToList();
        var template = new ProcessTemplate(executable, args, env, container.WorkingDir, ports.Names, Probe(container, ports.ByNumber));
        return (template, null);
    }

    /// <summary>
    /// The container's own <c>readinessProbe.httpGet</c> (path on the port it names), else KServe's default: a TCP probe
    /// on the first container port (the gRPC one when that is all there is).
    /// </summary>
    private static ReadinessProbe Probe(V1Container container, IReadOnlyList<(int Number, string Variable)> ports)
    {
        var portName = ports.Any(p => p.Variable == "$(PORT_HTTP)") ? "http" : "grpc";
        if (container.ReadinessProbe?.HttpGet is { } get)
        {
            var probed = get.Port?.Value is { } value && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? ports.FirstOrDefault(p => p.Number == number).Variable
                : null;
            return new ReadinessProbe(probed == "$(PORT_GRPC)" ? "grpc" : portName, get.Path ?? "/");
        }

        return new ReadinessProbe(portName);
    }

    /// <summary>Matches a whole port-number token: the entire value, or after <c>=</c> or <c>:</c> at the end.</summary>
    private static Regex PortToken(int number) =>
        new($"(?<prefix>^|[=:]){number.ToString(CultureInfo.InvariantCulture)}$", RegexOptions.CultureInvariant);

    private static (IReadOnlyList<string> Names, IReadOnlyList<(int Number, string Variable)> ByNumber) PortMap(V1Container container)
    {
        var names = new List<string> { "http" };
        var byNumber = new List<(int, string)>();
        var declared = container.Ports is { Count: > 0 } list ? list : [new V1ContainerPort { ContainerPort = DefaultContainerPort }];
        var httpTaken = false;
        foreach (var port in declared)
        {
            var grpc = port.Name is { } name && (name.Contains("grpc", StringComparison.OrdinalIgnoreCase) || name.Contains("h2c", StringComparison.OrdinalIgnoreCase));
            if (grpc && !names.Contains("grpc"))
            {
                names.Add("grpc");
                byNumber.Add((port.ContainerPort, "$(PORT_GRPC)"));
            }
            else if (!grpc && !httpTaken)
            {
                httpTaken = true;
                byNumber.Add((port.ContainerPort, "$(PORT_HTTP)"));
            }
        }

        return (names, byNumber);
    }
}
