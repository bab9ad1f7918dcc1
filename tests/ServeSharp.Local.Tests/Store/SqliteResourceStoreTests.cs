using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ServeSharp.Local.Store;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Store;

public sealed class SqliteResourceStoreTests : IDisposable
{
    private static readonly ResourceType Isvc = ResourceTypeRegistry.KServe.FindByName("isvc")!;
    private static readonly ResourceType Csr = ResourceTypeRegistry.KServe.FindByName("csr")!;
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));

    private string DbPath => Path.Combine(_dir.Path, "store.db");

    public void Dispose() => _dir.Dispose();

    private static JsonObject Doc(string name, string storageUri = "gs://a/b")
    {
        var doc = JsonNode.Parse("""
            {"apiVersion":"serving.kserve.io/v1beta1","kind":"InferenceService",
             "metadata":{"name":"x","labels":{"a":"b"}},
             "spec":{"predictor":{"model":{"modelFormat":{"name":"sklearn"},"storageUri":"x"}}},
             "status":{"url":"ignored-on-create"}}
            """)!.AsObject();
        doc["metadata"]!["name"] = name;
        doc["spec"]!["predictor"]!["model"]!["storageUri"] = storageUri;
        return doc;
    }

    [Fact]
    public async Task Create_SetsSystemMetadataAndDropsStatus()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        var created = await store.CreateAsync(Isvc, "default", Doc("iris"));

        var meta = created["metadata"]!.AsObject();
        Assert.Equal("default", (string?)meta["namespace"]);
        Assert.True(Guid.TryParse((string?)meta["uid"], out _));
        Assert.Equal("2026-11-23T10:00:00Z", (string?)meta["creationTimestamp"]);
        Assert.Equal(1, (long)meta["generation"]!);
        Assert.Equal("1", (string?)meta["resourceVersion"]);
        Assert.Null(created["status"]);
    }

    [Fact]
    public async Task Create_Twice_IsAlreadyExists()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        await store.CreateAsync(Isvc, "default", Doc("iris"));

        var ex = await Assert.ThrowsAsync<ResourceStoreException>(() => store.CreateAsync(Isvc, "default", Doc("iris")));
        Assert.Equal(StoreErrorReason.AlreadyExists, ex.Reason);
        Assert.Equal(409, ex.StatusCode);
        Assert.Contains("inferenceservices.serving.kserve.io \"iris\" already exists", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithoutName_IsInvalid()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        var doc = Doc("x");
        doc["metadata"]!.AsObject().Remove("name");

        var ex = await Assert.ThrowsAsync<ResourceStoreException>(() => store.CreateAsync(Isvc, "default", doc));
        Assert.Equal(422, ex.StatusCode);
    }

    [Fact]
    public async Task Replace_BumpsGenerationOnlyWhenSpecChanges()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        var created = await store.CreateAsync(Isvc, "default", Doc("iris"));
        var key = new ResourceKey(Isvc, "default", "iris");

        var relabelled = (JsonObject)created.DeepClone();
        relabelled["metadata"]!["labels"]!["a"] = "c";
        var afterLabel = await store.ReplaceAsync(key, relabelled);
        Assert.Equal(1, ObjectMeta.Generation(afterLabel));
        Assert.Equal(2, ObjectMeta.ResourceVersion(afterLabel));

        var respecced = Doc("iris", "gs://a/v2");
        var afterSpec = await store.ReplaceAsync(key, respecced);
        Assert.Equal(2, ObjectMeta.Generation(afterSpec));
        Assert.Equal(3, ObjectMeta.ResourceVersion(afterSpec));
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), afterSpec["metadata"]!["uid"]!.GetValue<string>());

        var unchanged = await store.ReplaceAsync(key, Doc("iris", "gs://a/v2"));
        Assert.Equal(3, ObjectMeta.ResourceVersion(unchanged));
    }

    [Fact]
    public async Task Replace_WithStaleResourceVersion_IsConflict()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        var created = await store.CreateAsync(Isvc, "default", Doc("iris"));
        var key = new ResourceKey(Isvc, "default", "iris");
        await store.ReplaceAsync(key, Doc("iris", "gs://a/v2"));

        var stale = Doc("iris", "gs://a/v3");
        stale["metadata"]!["resourceVersion"] = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        var ex = await Assert.ThrowsAsync<ResourceStoreException>(() => store.ReplaceAsync(key, stale));
        Assert.Equal(StoreErrorReason.Conflict, ex.Reason);
        Assert.Contains("the object has been modified", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplaceStatus_ChangesOnlyStatus_AndReplaceKeepsIt()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        await store.CreateAsync(Isvc, "default", Doc("iris"));
        var key = new ResourceKey(Isvc, "default", "iris");

        var statusUpdate = Doc("iris", "gs://ignored");
        statusUpdate["status"] = new JsonObject { ["url"] = "http://iris.default.example.com" };
        var withStatus = await store.ReplaceStatusAsync(key, statusUpdate);
        Assert.Equal("http://iris.default.example.com", (string?)withStatus["status"]!["url"]);
        Assert.Equal("gs://a/b", (string?)withStatus["spec"]!["predictor"]!["model"]!["storageUri"]);
        Assert.Equal(1, ObjectMeta.Generation(withStatus));

        var afterReplace = await store.ReplaceAsync(key, Doc("iris", "gs://a/v2"));
        Assert.Equal("http://iris.default.example.com", (string?)afterReplace["status"]!["url"]);
    }

    [Fact]
    public async Task Delete_RemovesAndMissingIsNotFound()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        await store.CreateAsync(Isvc, "default", Doc("iris"));
        var key = new ResourceKey(Isvc, "default", "iris");

        var last = await store.DeleteAsync(key);
        Assert.Equal("iris", ObjectMeta.Name(last));
        Assert.Null(await store.GetAsync(key));
        var ex = await Assert.ThrowsAsync<ResourceStoreException>(() => store.DeleteAsync(key));
        Assert.Equal(404, ex.StatusCode);
    }

    [Fact]
    public async Task List_FiltersByNamespaceAndType()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        await store.CreateAsync(Isvc, "default", Doc("b"));
        await store.CreateAsync(Isvc, "default", Doc("a"));
        await store.CreateAsync(Isvc, "other", Doc("c"));
        await store.CreateAsync(Csr, "ignored", JsonNode.Parse("""{"metadata":{"name":"kserve-sklearnserver"},"spec":{}}""")!.AsObject());

        var inDefault = await store.ListAsync(Isvc, "default");
        Assert.Equal(["a", "b"], inDefault.Items.Select(ObjectMeta.Name));
        Assert.Equal(4, inDefault.ResourceVersion);
        var all = await store.ListAsync(Isvc, null);
        Assert.Equal(3, all.Items.Count);
        var csrs = await store.ListAsync(Csr, null);
        Assert.Null(ObjectMeta.Namespace(Assert.Single(csrs.Items)));
    }

    [Fact]
    public async Task State_SurvivesReopen()
    {
        using (var store = new SqliteResourceStore(DbPath, _time))
        {
            await store.CreateAsync(Isvc, "default", Doc("iris"));
            await store.ReplaceAsync(new ResourceKey(Isvc, "default", "iris"), Doc("iris", "gs://a/v2"));
        }

        using var reopened = new SqliteResourceStore(DbPath, _time);
        var doc = await reopened.GetAsync(new ResourceKey(Isvc, "default", "iris"));
        Assert.NotNull(doc);
        Assert.Equal(2, ObjectMeta.Generation(doc));
        var next = await reopened.CreateAsync(Isvc, "default", Doc("second"));
        Assert.Equal(3, ObjectMeta.ResourceVersion(next));
    }

    [Fact]
    public async Task Watch_ReplaysHistoryThenStreamsLiveChangesInOrder()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        await store.CreateAsync(Isvc, "default", Doc("first"));
        await store.CreateAsync(Isvc, "other", Doc("elsewhere"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<WatchEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in store.WatchAsync(Isvc, "default", 0, cts.Token))
            {
                events.Add(e);
                if (events.Count == 4)
                {
                    break;
                }
            }
        });

        var key = new ResourceKey(Isvc, "default", "second");
        await store.CreateAsync(Isvc, "default", Doc("second"));
        await store.ReplaceAsync(key, Doc("second", "gs://x/y"));
        await store.DeleteAsync(key);
        await reading;

        Assert.Equal(
            [WatchEventType.Added, WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted],
            events.Select(e => e.Type));
        Assert.Equal(["first", "second", "second", "second"], events.Select(e => ObjectMeta.Name(e.Object)));
        Assert.Equal([1L, 3L, 4L, 5L], events.Select(e => e.ResourceVersion));
    }

    [Fact]
    public async Task Watch_FromResourceVersion_SkipsOlderChanges()
    {
        using var store = new SqliteResourceStore(DbPath, _time);
        await store.CreateAsync(Isvc, "default", Doc("a"));
        var b = await store.CreateAsync(Isvc, "default", Doc("b"));
        await store.CreateAsync(Isvc, "default", Doc("c"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await foreach (var e in store.WatchAsync(Isvc, null, ObjectMeta.ResourceVersion(b)!.Value, cts.Token))
        {
            Assert.Equal("c", ObjectMeta.Name(e.Object));
            break;
        }
    }
}
