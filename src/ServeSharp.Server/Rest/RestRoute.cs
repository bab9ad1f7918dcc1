namespace ServeSharp.Server.Rest;

/// <summary>The REST routes of protocol.md §1.1.</summary>
internal enum RestRouteKind
{
    NotFound,
    Root,
    Metrics,
    V1ListModels,
    V1ModelReady,
    V1Predict,
    V1Explain,
    V2ServerMetadata,
    V2Live,
    V2Ready,
    V2ListModels,
    V2ModelMetadata,
    V2ModelReady,
    V2Infer,
    V2Versioned,
    RepositoryIndex,
    RepositoryLoad,
    RepositoryUnload,
}

/// <summary>A matched route: kind, allowed method, and the model name from the path.</summary>
internal readonly record struct RestRoute(RestRouteKind Kind, string Method, string? ModelName = null)
{
    /// <summary>Matches a request path (already percent-decoded by Kestrel) without allocating except for the model name.</summary>
    public static RestRoute Match(string path)
    {
        var p = path.AsSpan();
        if (p.Length > 1 && p[^1] == '/')
        {
            p = p[..^1];
        }

        if (p.Length <= 1)
        {
            return p.Length == 0 || p[0] == '/' ? new(RestRouteKind.Root, "GET") : default;
        }

        if (p.SequenceEqual("/metrics"))
        {
            return new(RestRouteKind.Metrics, "GET");
        }

        if (p.StartsWith("/v1/models"))
        {
            return MatchV1(p["/v1/models".Length..]);
        }

        if (p.StartsWith("/v2"))
        {
            return MatchV2(p["/v2".Length..]);
        }

        return default;
    }

    private static RestRoute MatchV1(ReadOnlySpan<char> rest)
    {
        if (rest.IsEmpty)
        {
            return new(RestRouteKind.V1ListModels, "GET");
        }

        if (rest[0] != '/' || rest.Length == 1)
        {
            return default;
        }

        var name = rest[1..];
        if (name.IndexOf('/') >= 0)
        {
            return default;
        }

        if (name.EndsWith(":predict") && name.Length > ":predict".Length)
        {
            return new(RestRouteKind.V1Predict, "POST", name[..^":predict".Length].ToString());
        }

        if (name.EndsWith(":explain") && name.Length > ":explain".Length)
        {
            return new(RestRouteKind.V1Explain, "POST", name[..^":explain".Length].ToString());
        }

        return name.IndexOf(':') >= 0 ? default : new(RestRouteKind.V1ModelReady, "GET", name.ToString());
    }

    private static RestRoute MatchV2(ReadOnlySpan<char> rest)
    {
        if (rest.IsEmpty)
        {
            return new(RestRouteKind.V2ServerMetadata, "GET");
        }

        if (rest.SequenceEqual("/health/live"))
        {
            return new(RestRouteKind.V2Live, "GET");
        }

        if (rest.SequenceEqual("/health/ready"))
        {
            return new(RestRouteKind.V2Ready, "GET");
        }

        if (rest.SequenceEqual("/models"))
        {
            return new(RestRouteKind.V2ListModels, "GET");
        }

        if (rest.SequenceEqual("/repository/index"))
        {
            return new(RestRouteKind.RepositoryIndex, "POST");
        }

        if (rest.StartsWith("/repository/models/"))
        {
            var tail = rest["/repository/models/".Length..];
            var slash = tail.IndexOf('/');
            if (slash <= 0)
            {
                return default;
            }

            var action = tail[(slash + 1)..];
            var name = tail[..slash].ToString();
            return action switch
            {
                "load" => new(RestRouteKind.RepositoryLoad, "POST", name),
                "unload" => new(RestRouteKind.RepositoryUnload, "POST", name),
                _ => default,
            };
        }

        if (!rest.StartsWith("/models/"))
        {
            return default;
        }

        var model = rest["/models/".Length..];
        var end = model.IndexOf('/');
        if (end == 0)
        {
            return default;
        }

        if (end < 0)
        {
            return new(RestRouteKind.V2ModelMetadata, "GET", model.ToString());
        }

        var modelName = model[..end].ToString();
        var suffix = model[end..];
        if (suffix.SequenceEqual("/ready"))
        {
            return new(RestRouteKind.V2ModelReady, "GET", modelName);
        }

        if (suffix.SequenceEqual("/infer"))
        {
            return new(RestRouteKind.V2Infer, "POST", modelName);
        }

        if (suffix.StartsWith("/versions/") && suffix.Length > "/versions/".Length)
        {
            var versionTail = suffix["/versions/".Length..];
            var slash = versionTail.IndexOf('/');
            if (slash == 0)
            {
                return default;
            }

            var after = slash < 0 ? ReadOnlySpan<char>.Empty : versionTail[slash..];
            return after.IsEmpty ? new(RestRouteKind.V2Versioned, "GET", modelName)
                : after.SequenceEqual("/ready") ? new(RestRouteKind.V2Versioned, "GET", modelName)
                : after.SequenceEqual("/infer") ? new(RestRouteKind.V2Versioned, "POST", modelName)
                : default;
        }

        return default;
    }
}
