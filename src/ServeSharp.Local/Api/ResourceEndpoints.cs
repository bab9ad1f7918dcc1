using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ServeSharp.Control.Serialization;
using ServeSharp.Local.Store;

namespace ServeSharp.Local.Api;

/// <summary>
/// Kubernetes-shaped REST routes over an <see cref="IResourceStore"/>:
/// <c>/apis/{group}/{version}/namespaces/{ns}/{plural}[/{name}[/status]]</c> and, for cluster-scoped kinds (and
/// lists across namespaces), <c>/apis/{group}/{version}/{plural}[/{name}[/status]]</c>. GET (list, or watch with
/// <c>?watch=true</c> as JSON lines), POST, PUT, PATCH (<c>application/merge-patch+json</c>), DELETE. Errors are
/// Kubernetes <c>Status</c> bodies. Writes of spec/metadata go through every registered <see cref="IAdmissionHook"/>.
/// </summary>
public static class ResourceEndpoints
{
    private const string MergePatch = "application/merge-patch+json";
    private const int PatchRetries = 5;

    /// <summary>Maps the routes. Needs <see cref="IResourceStore"/> and <see cref="ResourceTypeRegistry"/> in DI.</summary>
    public static IEndpointRouteBuilder MapResourceApi(this IEndpointRouteBuilder endpoints)
    {
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
        endpoints.MapMethods("/apis/{group}/{version}/namespaces/{ns}/{plural}", methods, ctx => HandleAsync(ctx, true, false));
        endpoints.MapMethods("/apis/{group}/{version}/namespaces/{ns}/{plural}/{name}", methods, ctx => HandleAsync(ctx, true, false));
        endpoints.MapMethods("/apis/{group}/{version}/namespaces/{ns}/{plural}/{name}/status", methods, ctx => HandleAsync(ctx, true, true));
        endpoints.MapMethods("/apis/{group}/{version}/{plural}", methods, ctx => HandleAsync(ctx, false, false));
        endpoints.MapMethods("/apis/{group}/{version}/{plural}/{name}", methods, ctx => HandleAsync(ctx, false, false));
        endpoints.MapMethods("/apis/{group}/{version}/{plural}/{name}/status", methods, ctx => HandleAsync(ctx, false, true));
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext ctx, bool namespacedRoute, bool statusSubresource)
    {
        var registry = ctx.RequestServices.GetRequiredService<ResourceTypeRegistry>();
        var store = ctx.RequestServices.GetRequiredService<IResourceStore>();
        var values = ctx.Request.RouteValues;
        var type = registry.FindByUrl((string)values["group"]!, (string)values["version"]!, (string)values["plural"]!);
        var name = values.TryGetValue("name", out var n) ? (string?)n : null;
        if (type is null || (namespacedRoute && !type.Namespaced))
        {
            await WriteAsync(ctx, 404, KubernetesStatus.Failure(404, "NotFound", "the server could not find the requested resource")).ConfigureAwait(false);
            return;
        }

        // A namespaced kind on the cluster route is only a list/watch across all namespaces.
        var ns = namespacedRoute ? (string)values["ns"]! : (type.Namespaced ? null : string.Empty);
        if (ns is null && (name is not null || !HttpMethods.IsGet(ctx.Request.Method)))
        {
            await WriteAsync(ctx, 404, KubernetesStatus.Failure(404, "NotFound", "the server could not find the requested resource")).ConfigureAwait(false);
            return;
        }

        var request = new ApiRequest(ctx, store, type, ns, name, statusSubresource);
        try
        {
            await request.DispatchAsync().ConfigureAwait(false);
        }
        catch (ResourceStoreException e)
        {
            await WriteAsync(ctx, e.StatusCode, KubernetesStatus.From(e, name, type)).ConfigureAwait(false);
        }
        catch (BadRequestException e)
        {
            await WriteAsync(ctx, e.StatusCode, KubernetesStatus.Failure(e.StatusCode, e.Reason, e.Message, name, type)).ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(HttpContext ctx, int status, JsonNode body)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(), ctx.RequestAborted).ConfigureAwait(false);
    }

    private sealed class BadRequestException(int statusCode, string reason, string message) : Exception(message)
    {
        public int StatusCode { get; } = statusCode;

        public string Reason { get; } = reason;
    }

    private sealed class ApiRequest(HttpContext ctx, IResourceStore store, ResourceType type, string? ns, string? name, bool statusSubresource)
    {
        private ResourceKey Key => new(type, ns ?? string.Empty, name!);

        public Task DispatchAsync()
        {
            var method = ctx.Request.Method;
            if (name is null)
            {
                if (statusSubresource)
                {
                    throw new BadRequestException(404, "NotFound", "the server could not find the requested resource");
                }

                return HttpMethods.IsGet(method)
                    ? (IsWatch() ? WatchAsync() : ListAsync())
                    : HttpMethods.IsPost(method) ? CreateAsync()
                    : throw MethodNotAllowed();
            }

            return method switch
            {
                _ when HttpMethods.IsGet(method) => GetAsync(),
                _ when HttpMethods.IsPut(method) => ReplaceAsync(),
                _ when HttpMethods.IsPatch(method) => PatchAsync(),
                _ when HttpMethods.IsDelete(method) && !statusSubresource => DeleteAsync(),
                _ => throw MethodNotAllowed(),
            };
        }

        private static BadRequestException MethodNotAllowed() =>
            new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

        private bool IsWatch() =>
            ctx.Request.Query.TryGetValue("watch", out var w) && (w == "true" || w == "1");

        private async Task ListAsync()
        {
            var list = await store.ListAsync(type, ns, ctx.RequestAborted).ConfigureAwait(false);
            var body = new JsonObject
            {
                ["apiVersion"] = type.ApiVersion,
                ["kind"] = type.Kind + "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = list.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray(list.Items.Select(i => (JsonNode)i).ToArray()),
            };
            await WriteAsync(ctx, 200, body).ConfigureAwait(false);
        }

        private async Task WatchAsync()
        {
            long from;
            var events = new List<WatchEvent>();
            var rvText = ctx.Request.Query["resourceVersion"].ToString();
            if (string.IsNullOrEmpty(rvText) || rvText == "0")
            {
                // Kubernetes semantics: without a resourceVersion a watch starts with ADDED for every existing object.
                var list = await store.ListAsync(type, ns, ctx.RequestAborted).ConfigureAwait(false);
                events.AddRange(list.Items.Select(i => new WatchEvent(WatchEventType.Added, ObjectMeta.ResourceVersion(i) ?? 0, i)));
                from = list.ResourceVersion;
            }
            else if (!long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out from))
            {
                throw new BadRequestException(400, "BadRequest", $"invalid resourceVersion \"{rvText}\": expected a non-negative integer");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
            if (int.TryParse(ctx.Request.Query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            var stream = store.WatchAsync(type, ns, from, timeout.Token).GetAsyncEnumerator(timeout.Token);
            try
            {
                // Move once before answering so an expired resourceVersion still gets a proper 410 status code.
                var first = events.Count > 0 ? Task.FromResult(true) : SafeMoveAsync(stream);
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "application/json";
                foreach (var e in events)
                {
                    await WriteEventAsync(e, timeout.Token).ConfigureAwait(false);
                }

                await ctx.Response.Body.FlushAsync(timeout.Token).ConfigureAwait(false);
                if (events.Count == 0)
                {
                    if (!await first.ConfigureAwait(false))
                    {
                        return;
                    }

                    await WriteEventAsync(stream.Current, timeout.Token).ConfigureAwait(false);
                }

                while (await SafeMoveAsync(stream).ConfigureAwait(false))
                {
                    await WriteEventAsync(stream.Current, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // Client went away or timeoutSeconds elapsed: the watch simply ends.
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }

        private static async Task<bool> SafeMoveAsync(IAsyncEnumerator<WatchEvent> stream)
        {
            try
            {
                return await stream.MoveNextAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        private async Task WriteEventAsync(WatchEvent e, CancellationToken cancellationToken)
        {
            var line = new JsonObject { ["type"] = e.TypeName, ["object"] = e.Object.DeepClone() }.ToJsonString() + "\n";
            await ctx.Response.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            await ctx.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        private async Task GetAsync()
        {
            var obj = await store.GetAsync(Key, ctx.RequestAborted).ConfigureAwait(false) ?? throw ResourceStoreException.NotFound(Key);
            await WriteAsync(ctx, 200, obj).ConfigureAwait(false);
        }

        private async Task CreateAsync()
        {
            var obj = await ReadBodyAsync().ConfigureAwait(false);
            CheckTypeAndNamespace(obj);
            var objName = ObjectMeta.Name(obj) ?? string.Empty;
            obj = await AdmitAsync(AdmissionOperation.Create, objName, obj, null).ConfigureAwait(false);
            var created = await store.CreateAsync(type, ns!, obj!, ctx.RequestAborted).ConfigureAwait(false);
            await WriteAsync(ctx, 201, created).ConfigureAwait(false);
        }

        private async Task ReplaceAsync()
        {
            var obj = await ReadBodyAsync().ConfigureAwait(false);
            CheckTypeAndNamespace(obj);
            var bodyName = ObjectMeta.Name(obj);
            if (bodyName is not null && bodyName != name)
            {
                throw new BadRequestException(400, "BadRequest", $"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            await WriteAsync(ctx, 200, await SaveAsync(obj).ConfigureAwait(false)).ConfigureAwait(false);
        }

        private async Task PatchAsync()
        {
            var contentType = ctx.Request.ContentType?.Split(';')[0].Trim();
            if (!string.Equals(contentType, MergePatch, StringComparison.OrdinalIgnoreCase))
            {
                throw new BadRequestException(
                    415,
                    "UnsupportedMediaType",
                    $"the body of the request was in an unknown format - accepted media types include: {MergePatch} (got \"{contentType}\")");
            }

            var patch = await ReadBodyAsync().ConfigureAwait(false);
            var pinned = ObjectMeta.ResourceVersion(patch) is not null;
            for (var attempt = 0; ; attempt++)
            {
                var current = await store.GetAsync(Key, ctx.RequestAborted).ConfigureAwait(false) ?? throw ResourceStoreException.NotFound(Key);
                var patched = (JsonObject)JsonMergePatch.Apply(current, patch)!;
                if (!pinned)
                {
                    ObjectMeta.Metadata(patched)["resourceVersion"] = current["metadata"]!["resourceVersion"]!.DeepClone();
                }

                try
                {
                    await WriteAsync(ctx, 200, await SaveAsync(patched).ConfigureAwait(false)).ConfigureAwait(false);
                    return;
                }
                catch (ResourceStoreException e) when (e.Reason == StoreErrorReason.Conflict && !pinned && attempt < PatchRetries)
                {
                    // Someone else wrote in between our read and write; re-apply the patch to the new state.
                }
            }
        }

        private async Task<JsonObject> SaveAsync(JsonObject obj)
        {
            if (statusSubresource)
            {
                return await store.ReplaceStatusAsync(Key, obj, ctx.RequestAborted).ConfigureAwait(false);
            }

            var current = await store.GetAsync(Key, ctx.RequestAborted).ConfigureAwait(false) ?? throw ResourceStoreException.NotFound(Key);
            var admitted = await AdmitAsync(AdmissionOperation.Update, name!, obj, current).ConfigureAwait(false);
            return await store.ReplaceAsync(Key, admitted!, ctx.RequestAborted).ConfigureAwait(false);
        }

        private async Task DeleteAsync()
        {
            var current = await store.GetAsync(Key, ctx.RequestAborted).ConfigureAwait(false) ?? throw ResourceStoreException.NotFound(Key);
            await AdmitAsync(AdmissionOperation.Delete, name!, null, current).ConfigureAwait(false);
            var deleted = await store.DeleteAsync(Key, ctx.RequestAborted).ConfigureAwait(false);
            await WriteAsync(ctx, 200, deleted).ConfigureAwait(false);
        }

        private async Task<JsonObject?> AdmitAsync(AdmissionOperation operation, string objName, JsonObject? obj, JsonObject? old)
        {
            foreach (var hook in ctx.RequestServices.GetServices<IAdmissionHook>())
            {
                var request = new AdmissionRequest(operation, type, ns ?? string.Empty, objName, obj, old, store);
                var result = await hook.AdmitAsync(request, ctx.RequestAborted).ConfigureAwait(false);
                if (!result.Allowed)
                {
                    throw ResourceStoreException.Invalid(new ResourceKey(type, ns ?? string.Empty, objName), result.Errors);
                }

                obj = result.Replacement ?? obj;
            }

            return obj;
        }

        private void CheckTypeAndNamespace(JsonObject obj)
        {
            var apiVersion = obj["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : null;
            var kind = obj["kind"] is JsonValue kv && kv.TryGetValue<string>(out var k) ? k : null;
            if (apiVersion is not null && apiVersion != type.ApiVersion)
            {
                throw new BadRequestException(400, "BadRequest", $"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
            }

            if (kind is not null && kind != type.Kind)
            {
                throw new BadRequestException(400, "BadRequest", $"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
            }

            var bodyNs = ObjectMeta.Namespace(obj);
            if (type.Namespaced && !string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
            {
                throw new BadRequestException(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
            }
        }

        private async Task<JsonObject> ReadBodyAsync()
        {
            JsonNode? node;
            try
            {
                node = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new BadRequestException(400, "BadRequest", $"the request body is not valid JSON: {e.Message}");
            }

            if (!JsonTextCheck.IsText(node))
            {
                throw new BadRequestException(400, "BadRequest", $"the request body is not valid JSON: {JsonTextCheck.Problem}");
            }

            return node as JsonObject
                ?? throw new BadRequestException(400, "BadRequest", "the request body must be a JSON object");
        }
    }
}
