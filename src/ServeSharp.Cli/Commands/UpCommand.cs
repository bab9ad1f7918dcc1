using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ServeSharp.Cli.Platform;
using ServeSharp.Local;
using ServeSharp.Local.Reconciling;

namespace ServeSharp.Cli.Commands;

/// <summary><c>servesharp up</c>: runs the embedded platform (control API, ingress, supervisor, autoscaler) in the foreground.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var dataDir = PlatformOptions.DataDir();
        var ingressPort = new Option<int>("--ingress-port") { Description = "Ingress port (HTTP/1.1 and gRPC h2c).", DefaultValueFactory = _ => 8080 };
        var apiPort = new Option<int>("--api-port") { Description = "Control API port.", DefaultValueFactory = _ => 7070 };
        var domain = new Option<string>("--ingress-domain") { Description = "Domain of service hosts ({name}.{namespace}.{domain}).", DefaultValueFactory = _ => "example.com" };
        var apply = new Option<FileInfo[]>("--apply", "-f")
        {
            Description = "Manifest(s) to apply once the platform is up (like `servesharp apply -f`); prints each InferenceService's URL when it is ready.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("up", "Run the ServeSharp platform on this machine until Ctrl-C: apply InferenceServices, call them through the ingress.")
        {
            dataDir, ingressPort, apiPort, domain, apply,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new LocalPlatformOptions
            {
                DataDirectory = PlatformOptions.ResolveDataDir(result.GetValue(dataDir)),
                IngressPort = result.GetValue(ingressPort),
                ApiPort = result.GetValue(apiPort),
                IngressDomain = result.GetValue(domain)!,
                ServeCommand = SelfCommand(),
                ModelServerCommand = NativeModelServer(),
            };
            using var loggerFactory = LoggerFactory.Create(b => b
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                })
                .SetMinimumLevel(LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddFilter("Yarp", LogLevel.Warning)); // YARP logs every proxied request at Information: that halved ingress throughput.
            LocalPlatform platform;
            try
            {
                platform = await LocalPlatform.StartAsync(options, loggerFactory, TimeProvider.System, cancellationToken);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot start: {e.Message} (is another `servesharp up` running? choose --ingress-port / --api-port)");
                return 1;
            }

            // Stop exactly once, whether through the token (Ctrl-C / SIGTERM) or the process exiting: never leave replicas behind.
            var stopping = new Lazy<Task>(() => platform.DisposeAsync().AsTask());
            AppDomain.CurrentDomain.ProcessExit += (_, _) => stopping.Value.GetAwaiter().GetResult();
            Console.WriteLine($"ServeSharp is up. Control API: http://127.0.0.1:{platform.ApiPort}  Ingress: http://127.0.0.1:{platform.IngressPort}  Data: {options.DataDirectory}");
            Console.WriteLine($"  servesharp apply -f isvc.yaml   then   curl -H \"Host: NAME.default.{options.IngressDomain}\" http://localhost:{platform.IngressPort}/v1/models/NAME:predict -d @input.json");
            using var signalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var announcing = ApplyAtStartAsync(result.GetValue(apply) ?? [], platform.ApiPort, platform.IngressPort, signalled.Token);
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                signalled.Cancel();
            }

            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            try
            {
                await Task.Delay(Timeout.Infinite, signalled.Token);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM.
            }

            try
            {
                await announcing;
            }
            catch (OperationCanceledException)
            {
                // Stopped before every applied service was ready.
            }

            Console.WriteLine("Stopping: terminating model processes...");
            await stopping.Value;
            return 0;
        });
        return command;
    }

    private static async Task ApplyAtStartAsync(FileInfo[] files, int apiPort, int ingressPort, CancellationToken cancellationToken)
    {
        var api = $"http://127.0.0.1:{apiPort}";
        var services = new List<(string Namespace, string Name)>();
        foreach (var file in files)
        {
            string text;
            try
            {
                text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot read {file}: {e.Message}");
                continue;
            }

            await ServerApply.RunAsync(text, file.ToString(), api, Console.Out, Console.Error, cancellationToken);
            services.AddRange(ReadyAnnouncer.InferenceServices(text, file.ToString()));
        }

        await ReadyAnnouncer.RunAsync(new Uri(api), services, ingressPort, Console.Out, TimeProvider.System, cancellationToken);
    }

    /// <summary>
    /// The natively compiled model server (<c>servesharp-serve</c>, published from src/ServeSharp.Serve) when it sits
    /// next to this executable, as in a published installation, and runs here (<c>--version</c> exits 0: a build for
    /// another CPU level or C library fails at once); else none, and replicas run <c>servesharp serve</c>.
    /// </summary>
    private static string[] NativeModelServer()
    {
        var native = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "servesharp-serve.exe" : "servesharp-serve");
        if (!File.Exists(native) || File.Exists(Path.ChangeExtension(native, ".dll")))
        {
            return [];
        }

        if (NativeRuns(native, out var problem))
        {
            return [native];
        }

        Console.Error.WriteLine($"servesharp up: {native} does not run on this machine ({problem}); replicas run `servesharp serve` instead.");
        return [];
    }

    internal static bool NativeRuns(string native, out string problem)
    {
        var info = new System.Diagnostics.ProcessStartInfo(native, ["--version"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = System.Diagnostics.Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                problem = "--version did not finish in 10 s";
                return false;
            }

            problem = process.ExitCode == 0 ? string.Empty : $"exit code {process.ExitCode}: {stderr.Result.Trim()}";
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            problem = e.Message;
            return false;
        }
    }

    /// <summary>How to start this same executable again (for <c>servesharp serve</c> replicas).</summary>
    private static string[] SelfCommand()
    {
        var process = Environment.ProcessPath ?? "servesharp";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, typeof(UpCommand).Assembly.Location]
            : [process];
    }
}
