using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using ServeSharp.Protocol.Grpc.Generated;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Tests.TestModels;

namespace ServeSharp.Server.Tests.Grpc;

/// <summary>
/// <see cref="ServeSharp.Server.Grpc.ModelInferFastPath"/> against Grpc.AspNetCore's own handling of the same call:
/// every request is sent twice, once as the usual call and once with a deadline (which the fast path leaves to the gRPC
/// service), and both answers must be the same — messages, statuses, error texts, trailers and, on the wire, headers.
/// An interceptor on the gRPC service counts the calls that reach it, which shows which path answered.
/// </summary>
public sealed class ModelInferFastPathTests : IAsyncLifetime
{
    private const int SendLimit = 8 * 1024;

    private readonly string _root = Directory.CreateTempSubdirectory("servesharp-fastpath-tests-").FullName;
    private readonly ServiceCalls _serviceCalls = new();
    private ModelServer _server = null!;
    private GrpcChannel _channel = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        foreach (var (name, kind) in new[] { ("echo", "echo"), ("fail", "fail"), ("headers", "headers"), ("broken", "nonsense") })
        {
            TestRuntime.CreateModelDirectory(_root, name, kind);
        }

        _server = await ServerFixture.StartServerAsync(
            o =>
            {
                o.ModelRepositoryRoot = _root;
                o.GrpcMaxSendMessageSize = SendLimit;
            },
            s => s.AddSingleton(_serviceCalls).AddGrpc(o => o.Interceptors.Add<CountingInterceptor>()));
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_server.GrpcPort}", new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    public static TheoryData<string> Cases => new()
    {
        "ok", "ok-request-id", "unknown-model", "not-ready", "bad-datatype", "shape-mismatch", "model-fails", "too-large-answer",
        "non-ascii-name",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Answer_IsTheGrpcServicesAnswer(string name)
    {
        var (request, headers) = Case(name);
        var before = _serviceCalls.Count;
        var fast = await CallAsync(request, headers, fastPath: true);
        Assert.Equal(before, _serviceCalls.Count);
        var service = await CallAsync(request, headers, fastPath: false);
        Assert.Equal(before + 1, _serviceCalls.Count);

        Assert.Equal(service.Status.StatusCode, fast.Status.StatusCode);
        Assert.Equal(service.Status.Detail, fast.Status.Detail);
        Assert.Equal(WithoutId(service.Response), WithoutId(fast.Response));
        Assert.Equal(service.RequestId, fast.RequestId);
        switch (name)
        {
            case "ok":
                Assert.Equal(StatusCode.OK, fast.Status.StatusCode);
                Assert.Equal([6.8f, 2.8f, 4.8f, 1.4f], fast.Response!.Outputs[0].Contents.Fp32Contents);
                Assert.Null(fast.RequestId);
                break;
            case "ok-request-id":
                Assert.Equal("fast-1", fast.RequestId);
                break;
            case "unknown-model":
                Assert.Equal(StatusCode.NotFound, fast.Status.StatusCode);
                Assert.Equal("Model with name nope does not exist.", fast.Status.Detail);
                Assert.Equal("missing-2", fast.RequestId);
                break;
            case "not-ready":
                Assert.Equal(StatusCode.Unavailable, fast.Status.StatusCode);
                break;
            case "bad-datatype" or "shape-mismatch":
                Assert.Equal(StatusCode.InvalidArgument, fast.Status.StatusCode);
                break;
            case "model-fails":
                Assert.Equal(StatusCode.Internal, fast.Status.StatusCode);
                Assert.Equal("matrix is singular", fast.Status.Detail);
                break;
            case "too-large-answer":
                Assert.Equal(StatusCode.ResourceExhausted, fast.Status.StatusCode);
                break;
            case "non-ascii-name":
                Assert.Equal("Model with name modèle 100%\t✓ does not exist.", fast.Status.Detail);
                break;
        }
    }

    [Fact]
    public async Task Headers_AreTheCallsMetadata()
    {
        var headers = new Metadata
        {
            { "x-custom", "one" },
            { "x-multi", "first" },
            { "x-multi", "second" },
            { "x-request-id", "meta-3" },
            { "trace-bin", new byte[] { 1, 2, 3 } },
        };
        var request = Request("headers", "FP32", [2], c => c.Fp32Contents.Add([1f, 2f]));
        var fast = await CallAsync(request, headers, fastPath: true);
        var service = await CallAsync(request, headers, fastPath: false);

        var fastParameters = fast.Response!.Parameters;
        var serviceParameters = service.Response!.Parameters;
        Assert.Equal(serviceParameters["headers"].StringParam, fastParameters["headers"].StringParam);
        Assert.Equal(serviceParameters["count"].StringParam, fastParameters["count"].StringParam);
        Assert.Equal(serviceParameters["x-multi"].StringParam, fastParameters["x-multi"].StringParam);
        Assert.Equal("first, second", fastParameters["x-multi"].StringParam); // the client sends both in one field
        Assert.Equal("<absent>", fastParameters["content-type"].StringParam);
        var lines = fastParameters["headers"].StringParam.Split('\n');
        Assert.Contains("x-custom=one", lines);
        Assert.Contains("x-multi=first, second", lines);
        Assert.Contains("x-request-id=meta-3", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith(':') || l.StartsWith("te=", StringComparison.Ordinal) || l.StartsWith("content-type=", StringComparison.Ordinal)
            || l.StartsWith("grpc-", StringComparison.Ordinal) || l.StartsWith("trace-bin", StringComparison.Ordinal));
        Assert.Equal([2L], fast.Response.Outputs[0].Contents.Int64Contents);
    }

    [Fact]
    public async Task RequestLargerThanTheFastPathTakes_IsAnsweredByTheService()
    {
        var values = Enumerable.Range(0, 20_000).Select(i => (float)i).ToArray(); // 80 kB: examined, then left to the service
        var request = Request("headers", "FP32", [values.Length], c => c.Fp32Contents.Add(values));
        var before = _serviceCalls.Count;
        var answer = await CallAsync(request, null, fastPath: true);
        Assert.Equal(before + 1, _serviceCalls.Count);
        Assert.Equal(StatusCode.OK, answer.Status.StatusCode);
        Assert.Equal([20_000L], answer.Response!.Outputs[0].Contents.Int64Contents);
    }

    [Fact]
    public async Task RequestTheDecoderDeclines_IsAnsweredByTheService()
    {
        // raw_input_contents: read whole, declined, then parsed by the service from the same (unconsumed) bytes.
        var request = Request("echo", "FP32", [1, 2]);
        request.Inputs[0].Contents = null;
        var raw = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(raw, 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4), -2f);
        request.RawInputContents.Add(ByteString.CopyFrom(raw));
        var before = _serviceCalls.Count;
        var answer = await CallAsync(request, new Metadata { { "x-request-id", "raw-4" } }, fastPath: true);
        Assert.Equal(before + 1, _serviceCalls.Count);
        Assert.Equal(StatusCode.OK, answer.Status.StatusCode);
        Assert.Equal(raw, answer.Response!.RawOutputContents[0].ToByteArray());
        Assert.Equal("raw-4", answer.RequestId);
    }

    [Fact]
    public async Task CompressedRequest_IsAnsweredByTheService()
    {
        var request = Request("echo", "FP32", [1, 4], c => c.Fp32Contents.Add([1f, 2f, 3f, 4f]));
        var before = _serviceCalls.Count;
        var answer = await CallAsync(request, new Metadata { { "grpc-internal-encoding-request", "gzip" } }, fastPath: true);
        Assert.Equal(before + 1, _serviceCalls.Count);
        Assert.Equal(StatusCode.OK, answer.Status.StatusCode);
        Assert.Equal([1f, 2f, 3f, 4f], answer.Response!.Outputs[0].Contents.Fp32Contents);
    }

    [Fact]
    public async Task MessageOverTheReceiveLimit_IsTheServicesResourceExhausted()
    {
        await using var server = await ServerFixture.StartServerAsync(o =>
        {
            o.ModelRepositoryRoot = _root;
            o.GrpcMaxReceiveMessageSize = 64;
        });
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.GrpcPort}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = Request("echo", "FP32", [1, 32], c => c.Fp32Contents.Add(new float[32])); // 128 bytes of contents
        var fast = await Assert.ThrowsAsync<RpcException>(async () => await client.ModelInferAsync(request));
        var service = await Assert.ThrowsAsync<RpcException>(async () => await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddMinutes(5)));
        Assert.Equal(StatusCode.ResourceExhausted, fast.StatusCode);
        Assert.Equal(service.StatusCode, fast.StatusCode);
        Assert.Equal(service.Status.Detail, fast.Status.Detail);
    }

    [Theory]
    [InlineData("echo", "wire-5")]
    [InlineData("nope", "wire-6")]
    [InlineData("nope", null)]
    public async Task OnTheWire_HeadersAndTrailersAreTheServices(string model, string? requestId)
    {
        var call = Request(model, "FP32", [1, 4], c => c.Fp32Contents.Add([1f, 2f, 3f, 4f]));
        call.Id = "fixed-id"; // else each answer carries a new one
        var message = call.ToByteArray();
        var body = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)message.Length);
        message.CopyTo(body, 5);

        using var http = new HttpClient();
        var fast = await PostAsync(http, body, requestId, timeout: null);
        var service = await PostAsync(http, body, requestId, timeout: "1M");

        Assert.Equal(service.Headers, fast.Headers);
        Assert.Equal(service.Trailers, fast.Trailers);
        Assert.Equal(service.Body, fast.Body);
        Assert.Contains("content-type: application/grpc", fast.Headers);
        if (model == "echo")
        {
            Assert.Contains("grpc-status: 0", fast.Trailers);
            Assert.NotEmpty(fast.Body);
        }
        else
        {
            // Trailers-only: the status travels in the one HEADERS frame, with an empty body.
            Assert.Contains("grpc-status: 5", fast.Headers);
            Assert.Contains("grpc-message: Model with name nope does not exist.", fast.Headers);
            Assert.Contains("content-length: 0", fast.Headers);
            Assert.Empty(fast.Trailers);
            Assert.Empty(fast.Body);
        }

        Assert.Equal(requestId is not null, fast.Headers.Concat(fast.Trailers).Contains($"x-request-id: {requestId}"));
    }

    private async Task<(List<string> Headers, List<string> Trailers, byte[] Body)> PostAsync(HttpClient http, byte[] body, string? requestId, string? timeout)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{_server.GrpcPort}/inference.GRPCInferenceService/ModelInfer")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation("x-request-id", requestId);
        }

        if (timeout is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        }

        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        static List<string> Lines(IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers) =>
            headers.Where(h => !h.Key.Equals("date", StringComparison.OrdinalIgnoreCase))
                .Select(h => $"{h.Key.ToLowerInvariant()}: {string.Join(",", h.Value)}").Order(StringComparer.Ordinal).ToList();
        return (Lines(response.Headers.Concat(response.Content.Headers)), Lines(response.TrailingHeaders), bytes);
    }

    private static (ModelInferRequest Request, Metadata? Headers) Case(string name) => name switch
    {
        "ok" => (Request("echo", "FP32", [1, 4], c => c.Fp32Contents.Add([6.8f, 2.8f, 4.8f, 1.4f])), null),
        "ok-request-id" => (Request("echo", "INT64", [2], c => c.Int64Contents.Add([7L, -9L])), new Metadata { { "x-request-id", "fast-1" } }),
        "unknown-model" => (Request("nope", "FP32", [1], c => c.Fp32Contents.Add(1f)), new Metadata { { "x-request-id", "missing-2" } }),
        "not-ready" => (Request("broken", "FP32", [1], c => c.Fp32Contents.Add(1f)), null),
        "bad-datatype" => (Request("echo", "FP99", [1]), null),
        "shape-mismatch" => (Request("echo", "FP32", [3], c => c.Fp32Contents.Add([1f, 2f])), null),
        "model-fails" => (Request("fail", "FP64", [1], c => c.Fp64Contents.Add(1)), null),
        "too-large-answer" => (Request("echo", "FP32", [4_000], c => c.Fp32Contents.Add(new float[4_000])), null),
        "non-ascii-name" => (Request("modèle 100%\t✓", "FP32", [1], c => c.Fp32Contents.Add(1f)), null),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>The response without its id, which the server generates anew for each request that has none.</summary>
    private static ModelInferResponse? WithoutId(ModelInferResponse? response)
    {
        if (response is null)
        {
            return null;
        }

        Assert.NotEmpty(response.Id);
        var copy = response.Clone();
        copy.Id = string.Empty;
        return copy;
    }

    private static ModelInferRequest Request(string model, string datatype, long[] shape, Action<InferTensorContents>? fill = null)
    {
        var request = new ModelInferRequest { ModelName = model };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype, Contents = new InferTensorContents() };
        input.Shape.Add(shape);
        fill?.Invoke(input.Contents);
        request.Inputs.Add(input);
        return request;
    }

    /// <summary>The call as the usual client makes it, or (fastPath false) with a deadline, which only the gRPC service takes.</summary>
    private async Task<(ModelInferResponse? Response, Status Status, string? RequestId)> CallAsync(ModelInferRequest request, Metadata? headers, bool fastPath)
    {
        var call = _client.ModelInferAsync(request, headers, deadline: fastPath ? null : DateTime.UtcNow.AddMinutes(5));
        try
        {
            var response = await call.ResponseAsync;
            return (response, call.GetStatus(), call.GetTrailers().GetValue("x-request-id"));
        }
        catch (RpcException e)
        {
            return (null, e.Status, e.Trailers.GetValue("x-request-id"));
        }
    }

    /// <summary>How many calls reached the gRPC service.</summary>
    private sealed class ServiceCalls
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    private sealed class CountingInterceptor(ServiceCalls calls) : Interceptor
    {
        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
            TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            calls.Add();
            return continuation(request, context);
        }
    }
}
