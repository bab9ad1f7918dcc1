using k8s.Models;

namespace ServeSharp.Control.Admission;

/// <summary><c>pkg/validation/env_policy.go</c>: environment variables no container may set.</summary>
public static class BlockedEnvVars
{
    /// <summary>The blocked names.</summary>
    public static IReadOnlyList<string> Default { get; } = ["PYTHONPATH"];

    /// <summary>The first violation, or null.</summary>
    public static string? Check(IEnumerable<V1Container>? containers)
    {
        foreach (var container in containers ?? [])
        {
            foreach (var env in container.Env ?? [])
            {
                if (Default.Contains(env.Name))
                {
                    return $"setting {env.Name} in container \"{container.Name}\" is not allowed for security reasons";
                }
            }
        }
        return null;
    }
}
