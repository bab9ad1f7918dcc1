using System.Collections;
using System.Globalization;

namespace ServeSharp.Storage.Configuration;

/// <summary>
/// The environment variables KServe's storage initializer reads (credentials, endpoints, concurrency), captured
/// once so tests and multiple downloads never mutate or race on the process environment.
/// </summary>
public sealed class StorageEnvironment
{
    private readonly Dictionary<string, string> _variables;

    private StorageEnvironment(Dictionary<string, string> variables)
    {
        _variables = variables;
    }

    /// <summary>An environment with no variables.</summary>
    public static StorageEnvironment Empty { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>A snapshot of the current process environment.</summary>
    public static StorageEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                variables[key] = value;
            }
        }

        return new StorageEnvironment(variables);
    }

    /// <summary>An environment holding exactly <paramref name="variables"/>.</summary>
    public static StorageEnvironment From(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return new StorageEnvironment(new Dictionary<string, string>(variables, StringComparer.Ordinal));
    }

    /// <summary>All variables (used to collect secret values for redaction).</summary>
    public IReadOnlyDictionary<string, string> Variables => _variables;

    /// <summary>The variable's value, or null when it is unset or empty.</summary>
    public string? Get(string name)
    {
        return _variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
    }

    /// <summary>True when the variable is <c>"true"</c> (case-insensitive), as KServe's flags are read.</summary>
    public bool IsTrue(string name)
    {
        return string.Equals(Get(name), "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A positive integer variable, or <paramref name="fallback"/> when unset; anything else is an error.</summary>
    public int GetPositiveInt(string name, int fallback)
    {
        var raw = Get(name);
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw new StorageException(StorageErrorKind.Configuration, $"{name} must be a positive integer, got '{raw}'.");
        }

        return value;
    }

    /// <summary>A copy where <paramref name="overrides"/> replace existing values.</summary>
    public StorageEnvironment With(IEnumerable<KeyValuePair<string, string>> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var copy = new Dictionary<string, string>(_variables, StringComparer.Ordinal);
        foreach (var (key, value) in overrides)
        {
            copy[key] = value;
        }

        return new StorageEnvironment(copy);
    }
}
