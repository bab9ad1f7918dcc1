using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ServeSharp.Cli.Tests.Infrastructure;

namespace ServeSharp.Cli.Tests.Serving;

/// <summary>
/// A gRPC client in another language, sharing no code with ServeSharp (Node's grpc-js, stubs generated at run time
/// from the Open Inference Protocol .proto by proto-loader), calls every RPC of a real <c>servesharp serve</c> holding
/// the bundled iris ONNX model in a model repository.
/// </summary>
public sealed partial class ForeignGrpcClientTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("servesharp-foreign-grpc-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [GeneratedRegex(@"grpc port (\d+)")]
    private static partial Regex GrpcPort();

    [Fact]
    public async Task NodeGrpcJsClient_CallsEveryRpc_OnTheIrisExample()
    {
        var iris = Directory.CreateDirectory(Path.Combine(_repository, "iris")).FullName;
        File.Copy(Path.Combine(CliProcess.RepositoryRoot, "examples", "iris-onnx", "model.onnx"), Path.Combine(iris, "model.onnx"));

        using var server = Process.Start(CliProcess.StartInfo(["serve", "--model_name=iris", $"--model_dir={_repository}", "--http_port=0", "--grpc_port=0", "--host=127.0.0.1"]))!;
        var serverErr = server.StandardError.ReadToEndAsync();
        try
        {
            // Log lines come first on the same stream; the ready line names the bound ports.
            string? line;
            do
            {
                line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            while (line is not null && !line.StartsWith("servesharp serve: listening", StringComparison.Ordinal));

            var port = GrpcPort().Match(line ?? "");
            Assert.True(port.Success, line);
            Assert.Contains("iris (ready)", line, StringComparison.Ordinal);

            var r = await RunClientAsync(port.Groups[1].Value, "iris");

            Assert.True((bool)r["serverLive"]!["response"]!["live"]!);
            Assert.True((bool)r["serverReady"]!["response"]!["ready"]!);
            Assert.True((bool)r["modelReady"]!["response"]!["ready"]!);
            Assert.Equal("servesharp", (string?)r["serverMetadata"]!["response"]!["name"]);
            Assert.Contains("binary_tensor_data", Strings(r["serverMetadata"]!["response"]!["extensions"]));

            var metadata = r["modelMetadata"]!["response"]!;
            Assert.Equal("FP32", (string?)metadata["inputs"]![0]!["datatype"]);
            Assert.Equal(["-1", "4"], Strings(metadata["inputs"]![0]!["shape"]));
            Assert.Equal("INT64", (string?)metadata["outputs"]![0]!["datatype"]);

            // KServe's iris rows, typed contents: the labels its sklearn example documents, and the request id echoed.
            var typed = r["typedInfer"]!;
            var output = typed["response"]!["outputs"]![0]!;
            Assert.Equal(["1", "1"], Strings(output["contents"]!["int64_contents"]));
            Assert.Equal(["2"], Strings(output["shape"]));
            Assert.Equal("typed", (string?)typed["response"]!["id"]);
            Assert.Equal("node-client-1", (string?)typed["trailers"]!["x-request-id"]);

            // The same rows as raw little-endian bytes: raw_output_contents decoded by the client give the same labels.
            var raw = r["rawInfer"]!;
            Assert.Null(raw["error"]);
            Assert.Equal("INT64", (string?)raw["decoded"]![0]!["datatype"]);
            Assert.Equal(["1", "1"], Strings(raw["decoded"]![0]!["values"]));

            AssertError(r["unknownModelInfer"], "NOT_FOUND", "Model with name nope does not exist.");
            AssertError(r["shapeMismatchInfer"], "INVALID_ARGUMENT", "needs 8 elements");

            // One stream, three requests: answers in order, the failing one reported inline without ending the stream.
            var stream = r["streamInfer"]!;
            Assert.Null(stream["error"]);
            var answers = stream["answers"]!.AsArray();
            Assert.Equal(3, answers.Count);
            Assert.Equal("s1", (string?)answers[0]!["infer_response"]!["id"]);
            Assert.Equal("Model with name nope does not exist.", (string?)answers[1]!["error_message"]);
            Assert.Equal("s3", (string?)answers[2]!["infer_response"]!["id"]);
            Assert.Equal(["1"], Strings(answers[2]!["infer_response"]!["outputs"]![0]!["contents"]!["int64_contents"]));

            var index = r["repositoryIndex"]!["response"]!["models"]!.AsArray();
            Assert.Contains(index, m => (string?)m!["name"] == "iris" && (string?)m["state"] == "READY");
            Assert.Null(r["unload"]!["error"]);
            AssertError(r["readyAfterUnload"], "NOT_FOUND", "Model with name iris does not exist.");
            Assert.Null(r["load"]!["error"]);
            Assert.True((bool)r["readyAfterLoad"]!["response"]!["ready"]!);
            AssertError(r["loadUnknown"], "NOT_FOUND", "Model with name ghost does not exist.");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }

            await server.WaitForExitAsync();
            _ = await serverErr;
        }
    }

    private static async Task<JsonNode> RunClientAsync(string port, string model)
    {
        var nodeModules = Path.Combine(CliProcess.RepositoryRoot, "tools", "test-deps", "node_modules");
        if (!Directory.Exists(Path.Combine(nodeModules, "@grpc", "grpc-js")))
        {
            throw new InvalidOperationException($"{nodeModules}/@grpc/grpc-js is missing: run tools/install-test-deps.sh first.");
        }

        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Serving", "ForeignClient", "oip-grpc-client.mjs"),
            nodeModules,
            Path.Combine(CliProcess.RepositoryRoot, "src", "ServeSharp.Protocol", "Grpc", "Protos", "grpc_predict_v2.proto"),
            port,
            model,
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var client = Process.Start(info)!;
        var stdout = client.StandardOutput.ReadToEndAsync();
        var stderr = client.StandardError.ReadToEndAsync();
        await client.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(client.ExitCode == 0, $"node client exited {client.ExitCode}: {await stderr}");
        return JsonNode.Parse(await stdout)!;
    }

    private static void AssertError(JsonNode? call, string code, string detail)
    {
        var error = call?["error"];
        Assert.NotNull(error);
        Assert.Equal(code, (string?)error["code"]);
        Assert.Contains(detail, (string?)error["details"], StringComparison.Ordinal);
    }

    private static string[] Strings(JsonNode? array) => array!.AsArray().Select(n => n!.ToString()).ToArray();
}
