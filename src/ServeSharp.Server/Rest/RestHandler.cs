using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Prometheus;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Errors;
using ServeSharp.Protocol.V1;
using ServeSharp.Protocol.V2;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Logging;
using ServeSharp.Server.Metrics;
using ServeSharp.Server.Rest.CloudEvents;

namespace ServeSharp.Server.Rest;

/// <summary>
/// The REST front end (V1, V2, health, metadata, repository, metrics) as one terminal middleware with a hand-written
/// router: no endpoint routing or model binding on the hot path. gRPC requests (content type <c>application/grpc*</c>)
/// pass through to the gRPC endpoints. Unknown paths get FastAPI's <c>404 {"detail":"Not Found"}</c> and known paths
/// with the wrong verb <c>405 {"detail":"Method Not Allowed"}</c>, exactly as KServe answers them; every error raised
/// by the data plane gets KServe's <c>{"error": "..."}</c> body.
/// </summary>
internal sealed class RestHandler
{
    private const string JsonContentType = "application/json";
    private const string RequestIdHeader = "x-request-id";
    private const string HeaderLengthHeader = "Inference-Header-Content-Length";
    private static readonly byte[] AliveBody = """{"status":"alive"}"""u8.ToArray();
    private static readonly byte[] LiveBody = """{"live":true}"""u8.ToArray();
    private static readonly byte[] ReadyBody = """{"ready":true}"""u8.ToArray();
    private static readonly byte[] NotFoundBody = """{"detail":"Not Found"}"""u8.ToArray();
    private static readonly byte[] MethodNotAllowedBody = """{"detail":"Method Not Allowed"}"""u8.ToArray();

    private readonly DataPlane _dataPlane;
    private readonly ServerMetrics _metrics;
    private readonly ModelServerOptions _options;
    private readonly ILogger<RestHandler> _logger;
    private readonly TimeProvider _time;
    private readonly HttpRequestCounters _v1Requests;
    private readonly HttpRequestCounters _v2Requests;
    private readonly HttpRequestCounters _otherRequests;

    public RestHandler(DataPlane dataPlane, ServerMetrics metrics, ModelServerOptions options, TimeProvider time, ILogger<RestHandler> logger)
    {
        _time = time;
        _dataPlane = dataPlane;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        _v1Requests = new HttpRequestCounters(metrics, "v1");
        _v2Requests = new HttpRequestCounters(metrics, "v2");
        _otherRequests = new HttpRequestCounters(metrics, "other");
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // gRPC passes straight through, without an async frame of this middleware around the call.
        return context.Request.ContentType is { } contentType && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
            ? next(context)
            : HandleAsync(context);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;

        if (request.Headers.TryGetValue(RequestIdHeader, out var requestId))
        {
            context.Response.Headers[RequestIdHeader] = requestId;
        }

        var route = RestRoute.Match(request.Path.Value ?? "/");
        int status;
        try
        {
            if (route.Kind == RestRouteKind.NotFound)
            {
                status = await WriteAsync(context, 404, JsonContentType, NotFoundBody).ConfigureAwait(false);
            }
            else if (!string.Equals(request.Method, route.Method, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers.Allow = route.Method;
                status = await WriteAsync(context, 405, JsonContentType, MethodNotAllowedBody).ConfigureAwait(false);
            }
            else
            {
                status = await DispatchAsync(context, route, requestId).ConfigureAwait(false);
            }
        }
        catch (InferenceException e)
        {
            status = await WriteErrorAsync(context, ErrorStatusTable.ToHttpStatus(e.Kind), e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            status = await WriteErrorAsync(context, e.StatusCode, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is listening for an answer.
            status = 499;
        }
        catch (Exception e)
        {
            ServerLog.UnhandledError(_logger, request.Path.Value ?? "/", e);
            status = await WriteErrorAsync(context, 500, ErrorStatusTable.DescribeUnexpected(e)).ConfigureAwait(false);
        }

        RequestCounters(route.Kind).Count(status);
    }

    private HttpRequestCounters RequestCounters(RestRouteKind kind) => kind switch
    {
        RestRouteKind.Root or RestRouteKind.V1ListModels or RestRouteKind.V1ModelReady or RestRouteKind.V1Predict
            or RestRouteKind.V1Explain => _v1Requests,
        RestRouteKind.NotFound or RestRouteKind.Metrics => _otherRequests,
        _ => _v2Requests,
    };

    private ValueTask<int> DispatchAsync(HttpContext context, RestRoute route, StringValues requestId)
    {
        var name = route.ModelName!;
        switch (route.Kind)
        {
            case RestRouteKind.Root:
                return WriteAsync(context, 200, JsonContentType, AliveBody);
            case RestRouteKind.Metrics:
                return WriteMetricsAsync(context);
            case RestRouteKind.V1ListModels:
            case RestRouteKind.V2ListModels:
                return WriteJsonAsync(context, 200, w => V2MetadataEncoder.WriteModelList(w, _dataPlane.ModelNames));
            case RestRouteKind.V1ModelReady:
            case RestRouteKind.V2ModelReady:
                return WriteModelReadyAsync(context, name);
            case RestRouteKind.V1Predict:
                return V1Async(context, name, explain: false, requestId);
            case RestRouteKind.V1Explain:
                return V1Async(context, name, explain: true, requestId);
            case RestRouteKind.V2ServerMetadata:
                return WriteJsonAsync(context, 200, w => V2MetadataEncoder.WriteServerMetadata(
                    w, _dataPlane.ServerName, _dataPlane.ServerVersion, DataPlane.Extensions));
            case RestRouteKind.V2Live:
                return WriteAsync(context, 200, JsonContentType, LiveBody);
            case RestRouteKind.V2Ready:
                return _dataPlane.IsReady
                    ? WriteAsync(context, 200, JsonContentType, ReadyBody)
                    : throw new InferenceException(InferenceErrorKind.ServerNotReady, "Server is not ready.");
            case RestRouteKind.V2ModelMetadata:
                return WriteModelMetadataAsync(context, name);
            case RestRouteKind.V2Infer:
                return V2InferAsync(context, name, requestId);
            case RestRouteKind.V2Versioned:
                throw InferenceException.NotImplemented("Model versioning not supported yet.");
            case RestRouteKind.RepositoryIndex:
                return IndexAsync(context);
            case RestRouteKind.RepositoryLoad:
                return LoadAsync(context, name);
            case RestRouteKind.RepositoryUnload:
                return UnloadAsync(context, name);
            default:
                return WriteAsync(context, 404, JsonContentType, NotFoundBody);
        }
    }

    // Lambdas that capture the model name live here, not in DispatchAsync, whose every call (inference included) would
    // otherwise allocate their closure.
    private ValueTask<int> WriteModelReadyAsync(HttpContext context, string name)
    {
        _dataPlane.EnsureModelReady(name);
        return WriteJsonAsync(context, 200, w => V2MetadataEncoder.WriteNamedFlag(w, name, "ready"u8, true));
    }

    private ValueTask<int> WriteModelMetadataAsync(HttpContext context, string name)
    {
        var metadata = _dataPlane.GetModelMetadata(name);
        return WriteJsonAsync(context, 200, w => V2MetadataEncoder.WriteModelMetadata(w, name, metadata));
    }

    private async ValueTask<int> V2InferAsync(HttpContext context, string name, StringValues requestId)
    {
        _dataPlane.EnsureModelReady(name);
        using var body = await RequestBodyReader.ReadAsync(context.Request, _options.MaxRequestBodySize, context.RequestAborted)
            .ConfigureAwait(false);
        var headerLength = ParseHeaderLength(context.Request.Headers);
        var start = Stopwatch.GetTimestamp();
        var request = V2RequestDecoder.Decode(body.WrittenSpan, headerLength, name, new HeaderView(context.Request.Headers));
        var decoded = Stopwatch.GetTimestamp();
        var response = await _dataPlane.InferAsync(request, context.RequestAborted).ConfigureAwait(false);
        var predicted = Stopwatch.GetTimestamp();
        using var output = new PooledBufferWriter();
        var jsonLength = V2ResponseEncoder.Encode(response, request, output);
        Observe(name, start, decoded, predicted, explain: false, requestId);
        if (jsonLength is { } length)
        {
            context.Response.Headers[HeaderLengthHeader] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await WriteAsync(context, 200, "application/octet-stream", output.WrittenMemory).ConfigureAwait(false);
        }

        return await WriteAsync(context, 200, JsonContentType, output.WrittenMemory).ConfigureAwait(false);
    }

    private async ValueTask<int> V1Async(HttpContext context, string name, bool explain, StringValues requestId)
    {
        _dataPlane.EnsureModelReady(name);
        using var body = await RequestBodyReader.ReadAsync(context.Request, _options.MaxRequestBodySize, context.RequestAborted)
            .ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        var headers = new HeaderView(context.Request.Headers);
        var contentType = context.Request.ContentType;
        var bodyIsJson = IsJsonContentType(contentType) || IsCurlFormJson(contentType, body.WrittenSpan);
        var cloudEvent = CloudEventRequest.Read(context.Request.Headers, contentType, bodyIsJson, body.WrittenSpan);
        var payload = cloudEvent is null ? body.WrittenSpan : body.WrittenSpan.Slice(cloudEvent.DataStart, cloudEvent.DataLength);
        var isJson = cloudEvent?.Mode == CloudEventMode.Binary ? cloudEvent.DataIsJson : bodyIsJson;
        var request = isJson
            ? V1RequestDecoder.Decode(payload, name, headers)
            : V1RequestDecoder.FromRawBody(payload, contentType ?? "application/octet-stream", name, headers);
        var decoded = Stopwatch.GetTimestamp();
        var response = explain
            ? await _dataPlane.ExplainAsync(request, context.RequestAborted).ConfigureAwait(false)
            : await _dataPlane.InferAsync(request, context.RequestAborted).ConfigureAwait(false);
        var predicted = Stopwatch.GetTimestamp();
        using var output = new PooledBufferWriter();
        if (explain)
        {
            V1ResponseEncoder.EncodeExplanation(response, output);
        }
        else
        {
            V1ResponseEncoder.EncodePredictions(response, output);
        }

        var responseType = JsonContentType;
        using var eventOutput = cloudEvent is { AnswerAsEvent: true } ? new PooledBufferWriter() : null;
        if (cloudEvent is not null && eventOutput is not null)
        {
            responseType = CloudEventResponse.Write(
                cloudEvent, _options.CloudEvents, name, _time.GetUtcNow(), output.WrittenSpan, context.Response.Headers, eventOutput);
        }

        Observe(name, start, decoded, predicted, explain, requestId);
        return await WriteAsync(context, 200, responseType, (eventOutput ?? output).WrittenMemory).ConfigureAwait(false);
    }

    private async ValueTask<int> IndexAsync(HttpContext context)
    {
        using var body = await RequestBodyReader.ReadAsync(context.Request, _options.MaxRequestBodySize, context.RequestAborted)
            .ConfigureAwait(false);
        var readyOnly = V2MetadataEncoder.ReadIndexReadyFilter(body.WrittenSpan);
        var entries = _dataPlane.Index(readyOnly).ToList();
        return await WriteJsonAsync(context, 200, w => V2MetadataEncoder.WriteRepositoryIndex(w, entries)).ConfigureAwait(false);
    }

    private async ValueTask<int> LoadAsync(HttpContext context, string name)
    {
        await _dataPlane.LoadAsync(name, context.RequestAborted).ConfigureAwait(false);
        return await WriteJsonAsync(context, 200, w => V2MetadataEncoder.WriteNamedFlag(w, name, "load"u8, true)).ConfigureAwait(false);
    }

    private async ValueTask<int> UnloadAsync(HttpContext context, string name)
    {
        await _dataPlane.UnloadAsync(name, context.RequestAborted).ConfigureAwait(false);
        return await WriteJsonAsync(context, 200, w => V2MetadataEncoder.WriteNamedFlag(w, name, "unload"u8, true)).ConfigureAwait(false);
    }

    private async ValueTask<int> WriteMetricsAsync(HttpContext context)
    {
        using var stream = new MemoryStream();
        await _metrics.Registry.CollectAndExportAsTextAsync(stream, context.RequestAborted).ConfigureAwait(false);
        return await WriteAsync(context, 200, "text/plain; version=0.0.4; charset=utf-8", stream.GetBuffer().AsMemory(0, (int)stream.Length))
            .ConfigureAwait(false);
    }

    private void Observe(string model, long start, long decoded, long predicted, bool explain, StringValues requestId)
    {
        var end = Stopwatch.GetTimestamp();
        var histograms = _metrics.ForModel(model);
        var pre = Stopwatch.GetElapsedTime(start, decoded).TotalSeconds;
        var post = Stopwatch.GetElapsedTime(predicted, end).TotalSeconds;
        histograms.Preprocess.Observe(pre);
        histograms.Postprocess.Observe(post);
        if (_options.EnableLatencyLogging)
        {
            var run = Stopwatch.GetElapsedTime(decoded, predicted).TotalMilliseconds;
            ServerLog.Latency(
                _logger, requestId.Count > 0 ? requestId.ToString() : "N.A.", pre * 1000, explain ? run : 0, explain ? 0 : run, post * 1000);
        }
    }

    private static bool IsJsonContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return true;
        }

        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    // `curl -d @iris-input.json` (KServe's own examples before 0.11) labels a JSON body
    // application/x-www-form-urlencoded. A form body never starts with '{', so such a body is the JSON request the
    // client meant; KServe 0.10 decoded it as JSON, and handing it to the model as raw bytes only produces a
    // confusing "Expected 2D array" from the estimator.
    private static bool IsCurlFormJson(string? contentType, ReadOnlySpan<byte> body)
    {
        if (contentType is null)
        {
            return false;
        }

        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        if (!mediaType.Trim().Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var trimmed = body.TrimStart(" \t\r\n"u8);
        return !trimmed.IsEmpty && trimmed[0] == (byte)'{';
    }

    private static long? ParseHeaderLength(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue(HeaderLengthHeader, out var values))
        {
            return null;
        }

        return long.TryParse(values.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
            ? length
            : throw InferenceException.InvalidInput(
                $"Inference-Header-Content-Length must be a non-negative integer, not '{values}'.");
    }

    private ValueTask<int> WriteJsonAsync(HttpContext context, int status, Action<PooledBufferWriter> write)
    {
        var output = new PooledBufferWriter(512);
        try
        {
            write(output);
        }
        catch
        {
            output.Dispose();
            throw;
        }

        return WriteAndReturnAsync(context, status, output);
    }

    private static async ValueTask<int> WriteAndReturnAsync(HttpContext context, int status, PooledBufferWriter output)
    {
        using (output)
        {
            return await WriteAsync(context, status, JsonContentType, output.WrittenMemory).ConfigureAwait(false);
        }
    }

    private static async ValueTask<int> WriteErrorAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return status;
        }

        context.Response.Headers.Remove(HeaderLengthHeader);
        return await WriteAsync(context, status, JsonContentType, ErrorJson.ToBytes(message)).ConfigureAwait(false);
    }

    private static ValueTask<int> WriteAsync(HttpContext context, int status, string contentType, byte[] body) =>
        WriteAsync(context, status, contentType, body.AsMemory());

    private static async ValueTask<int> WriteAsync(HttpContext context, int status, string contentType, ReadOnlyMemory<byte> body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.BodyWriter.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        return status;
    }
}
