using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace ServeSharp.Local.Store;

/// <summary>
/// <see cref="IResourceStore"/> persisted in one SQLite file. One connection behind a gate serialises writes so
/// resourceVersions are strictly ordered and every committed change is published to live watchers in order.
/// The last <see cref="RetainedEvents"/> changes are kept so a watch can resume from a recent resourceVersion.
/// </summary>
public sealed class SqliteResourceStore : IResourceStore, IDisposable
{
    /// <summary>How many past changes are kept for watches resuming from an older resourceVersion.</summary>
    public const long RetainedEvents = 10_000;

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Subscriber> _subscribers = [];
    private bool _disposed;

    /// <summary>Opens (creating if needed) the store at <paramref name="databasePath"/>.</summary>
    public SqliteResourceStore(string databasePath, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _time = time;
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=NORMAL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS resources (
                kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                rv INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, namespace, name));
            CREATE TABLE IF NOT EXISTS events (
                rv INTEGER PRIMARY KEY, kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                type INTEGER NOT NULL, doc TEXT NOT NULL);
            INSERT OR IGNORE INTO meta (key, value) VALUES ('rv', 0), ('compacted', 0);
            """);
    }

    /// <inheritdoc />
    public async Task<JsonObject> CreateAsync(ResourceType type, string ns, JsonObject obj, CancellationToken cancellationToken = default)
    {
        var name = ObjectMeta.Name(obj);
        var key = new ResourceKey(type, type.Namespaced ? ns : string.Empty, name ?? string.Empty);
        if (string.IsNullOrEmpty(name))
        {
            throw ResourceStoreException.Invalid(key, ["metadata.name: Required value: name is required"]);
        }

        var doc = (JsonObject)obj.DeepClone();
        doc["apiVersion"] = type.ApiVersion;
        doc["kind"] = type.Kind;
        doc.Remove("status");
        var meta = ObjectMeta.Metadata(doc);
        if (type.Namespaced)
        {
            meta["namespace"] = key.Namespace;
        }
        else
        {
            meta.Remove("namespace");
        }

        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        meta["generation"] = 1;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (ReadDocument(key) is not null)
            {
                throw ResourceStoreException.AlreadyExists(key);
            }

            return Commit(key, WatchEventType.Added, doc);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<JsonObject?> GetAsync(ResourceKey key, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            return ReadDocument(key);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<ResourceList> ListAsync(ResourceType type, string? ns, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            using var command = _connection.CreateCommand();
            command.CommandText = ns is null
                ? "SELECT doc FROM resources WHERE kind = $kind ORDER BY namespace, name"
                : "SELECT doc FROM resources WHERE kind = $kind AND namespace = $ns ORDER BY name";
            command.Parameters.AddWithValue("$kind", type.StorageKey);
            if (ns is not null)
            {
                command.Parameters.AddWithValue("$ns", type.Namespaced ? ns : string.Empty);
            }

            var items = new List<JsonObject>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    items.Add(Parse(reader.GetString(0)));
                }
            }

            return new ResourceList(items, ReadMeta("rv"));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<JsonObject> ReplaceAsync(ResourceKey key, JsonObject obj, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var current = ReadCurrent(key, obj);
            var doc = (JsonObject)obj.DeepClone();
            doc["apiVersion"] = key.Type.ApiVersion;
            doc["kind"] = key.Type.Kind;
            doc.Remove("status");
            if (current["status"] is JsonNode status)
            {
                doc["status"] = status.DeepClone();
            }

            var meta = ObjectMeta.Metadata(doc);
            var currentMeta = ObjectMeta.Metadata(current);
            foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion" })
            {
                meta.Remove(field);
                if (currentMeta[field] is JsonNode value)
                {
                    meta[field] = value.DeepClone();
                }
            }

            if (!SpecEquals(current, doc))
            {
                meta["generation"] = ObjectMeta.Generation(current) + 1;
            }

            return JsonNode.DeepEquals(current, doc) ? current : Commit(key, WatchEventType.Modified, doc);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<JsonObject> ReplaceStatusAsync(ResourceKey key, JsonObject obj, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var current = ReadCurrent(key, obj);
            var doc = (JsonObject)current.DeepClone();
            doc.Remove("status");
            if (obj["status"] is JsonNode status)
            {
                doc["status"] = status.DeepClone();
            }

            return JsonNode.DeepEquals(current, doc) ? current : Commit(key, WatchEventType.Modified, doc);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<JsonObject> DeleteAsync(ResourceKey key, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var current = ReadDocument(key) ?? throw ResourceStoreException.NotFound(key);
            return Commit(key, WatchEventType.Deleted, current);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        ResourceType type,
        string? ns,
        long fromResourceVersion,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var subscriber = new Subscriber(type.StorageKey, ns is null ? null : (type.Namespaced ? ns : string.Empty));
        var history = new List<WatchEvent>();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (fromResourceVersion < ReadMeta("compacted"))
            {
                throw new ResourceStoreException(
                    StoreErrorReason.Expired,
                    $"too old resource version: {fromResourceVersion} ({ReadMeta("compacted") + 1})");
            }

            using var command = _connection.CreateCommand();
            command.CommandText = subscriber.Namespace is null
                ? "SELECT rv, type, doc FROM events WHERE kind = $kind AND rv > $rv ORDER BY rv"
                : "SELECT rv, type, doc FROM events WHERE kind = $kind AND namespace = $ns AND rv > $rv ORDER BY rv";
            command.Parameters.AddWithValue("$kind", subscriber.Kind);
            command.Parameters.AddWithValue("$rv", fromResourceVersion);
            if (subscriber.Namespace is not null)
            {
                command.Parameters.AddWithValue("$ns", subscriber.Namespace);
            }

            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    history.Add(new WatchEvent((WatchEventType)reader.GetInt32(1), reader.GetInt64(0), Parse(reader.GetString(2))));
                }
            }

            lock (_subscribers)
            {
                _subscribers.Add(subscriber);
            }
        }
        finally
        {
            _gate.Release();
        }

        try
        {
            foreach (var e in history)
            {
                yield return e;
            }

            await foreach (var e in subscriber.Channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            lock (_subscribers)
            {
                _subscribers.Remove(subscriber);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            lock (_subscribers)
            {
                foreach (var s in _subscribers)
                {
                    s.Channel.Writer.TryComplete();
                }

                _subscribers.Clear();
            }

            _connection.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool SpecEquals(JsonObject a, JsonObject b)
    {
        var ignored = new HashSet<string>(StringComparer.Ordinal) { "metadata", "status", "apiVersion", "kind" };
        var keys = a.Select(p => p.Key).Concat(b.Select(p => p.Key)).Where(k => !ignored.Contains(k)).Distinct(StringComparer.Ordinal);
        return keys.All(k => JsonNode.DeepEquals(a[k], b[k]));
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private JsonObject ReadCurrent(ResourceKey key, JsonObject incoming)
    {
        var current = ReadDocument(key) ?? throw ResourceStoreException.NotFound(key);
        var expected = ObjectMeta.ResourceVersion(incoming);
        if (expected is not null && expected != ObjectMeta.ResourceVersion(current))
        {
            throw ResourceStoreException.Conflict(key);
        }

        return current;
    }

    private JsonObject Commit(ResourceKey key, WatchEventType type, JsonObject doc)
    {
        var rv = ReadMeta("rv") + 1;
        ObjectMeta.Metadata(doc)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        var json = doc.ToJsonString();
        using (var transaction = _connection.BeginTransaction())
        {
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = type == WatchEventType.Deleted
                ? "DELETE FROM resources WHERE kind = $kind AND namespace = $ns AND name = $name;"
                : "INSERT INTO resources (kind, namespace, name, rv, doc) VALUES ($kind, $ns, $name, $rv, $doc) "
                  + "ON CONFLICT (kind, namespace, name) DO UPDATE SET rv = excluded.rv, doc = excluded.doc;";
            command.CommandText += """
                INSERT INTO events (rv, kind, namespace, name, type, doc) VALUES ($rv, $kind, $ns, $name, $type, $doc);
                UPDATE meta SET value = $rv WHERE key = 'rv';
                """;
            if (rv % 1000 == 0 && rv > RetainedEvents)
            {
                command.CommandText += """
                    DELETE FROM events WHERE rv <= $compact;
                    UPDATE meta SET value = $compact WHERE key = 'compacted';
                    """;
                command.Parameters.AddWithValue("$compact", rv - RetainedEvents);
            }

            command.Parameters.AddWithValue("$kind", key.Type.StorageKey);
            command.Parameters.AddWithValue("$ns", key.Type.Namespaced ? key.Namespace : string.Empty);
            command.Parameters.AddWithValue("$name", key.Name);
            command.Parameters.AddWithValue("$rv", rv);
            command.Parameters.AddWithValue("$doc", json);
            command.Parameters.AddWithValue("$type", (int)type);
            command.ExecuteNonQuery();
            transaction.Commit();
        }

        lock (_subscribers)
        {
            foreach (var s in _subscribers)
            {
                if (s.Kind == key.Type.StorageKey && (s.Namespace is null || s.Namespace == (key.Type.Namespaced ? key.Namespace : string.Empty)))
                {
                    s.Channel.Writer.TryWrite(new WatchEvent(type, rv, Parse(json)));
                }
            }
        }

        return Parse(json);
    }

    private JsonObject? ReadDocument(ResourceKey key)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT doc FROM resources WHERE kind = $kind AND namespace = $ns AND name = $name";
        command.Parameters.AddWithValue("$kind", key.Type.StorageKey);
        command.Parameters.AddWithValue("$ns", key.Type.Namespaced ? key.Namespace : string.Empty);
        command.Parameters.AddWithValue("$name", key.Name);
        return command.ExecuteScalar() is string json ? Parse(json) : null;
    }

    private long ReadMeta(string name)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", name);
        return (long)command.ExecuteScalar()!;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private sealed class Subscriber(string kind, string? ns)
    {
        public string Kind { get; } = kind;

        public string? Namespace { get; } = ns;

        public Channel<WatchEvent> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<WatchEvent>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    }
}
