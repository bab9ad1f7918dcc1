using System.Text.Json.Nodes;
using ServeSharp.Local.Store;

namespace ServeSharp.Local.Api;

/// <summary>Builds Kubernetes <c>Status</c> bodies (<c>{"kind":"Status","status":"Failure",…}</c>).</summary>
public static class KubernetesStatus
{
    /// <summary>A failure Status with reason, message and HTTP code.</summary>
    public static JsonObject Failure(int code, string reason, string message, string? name = null, ResourceType? type = null, IReadOnlyList<string>? causes = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (name is not null || type is not null || causes is { Count: > 0 })
        {
            var details = new JsonObject();
            if (name is not null)
            {
                details["name"] = name;
            }

            if (type is not null)
            {
                details["group"] = type.Group;
                details["kind"] = type.Plural;
            }

            if (causes is { Count: > 0 })
            {
                details["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject
                {
                    ["reason"] = "FieldValueInvalid",
                    ["message"] = c,
                }).ToArray());
            }

            status["details"] = details;
        }

        return status;
    }

    /// <summary>The Status for a refused store operation.</summary>
    public static JsonObject From(ResourceStoreException error, string? name = null, ResourceType? type = null) =>
        Failure(error.StatusCode, error.Reason.ToString(), error.Message, name, type, error.Causes);
}
