namespace ServeSharp.Local.Reconciling;

/// <summary>Settings of the embedded platform (<c>servesharp up</c>); <see cref="Validate"/> runs at start-up.</summary>
public sealed class LocalPlatformOptions
{
    /// <summary>Root of all state: <c>store.db</c>, <c>models/</c>, <c>logs/</c>, <c>run/</c>.</summary>
    public string DataDirectory { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".servesharp");

    /// <summary>Ingress port (HTTP/1.1 and h2c).</summary>
    public int IngressPort { get; set; } = 8080;

    /// <summary>Control API port.</summary>
    public int ApiPort { get; set; } = 7070;

    /// <summary>Domain of service hosts: <c>{name}.{namespace}.{domain}</c> (KServe's <c>ingressDomain</c>).</summary>
    public string IngressDomain { get; set; } = "example.com";

    /// <summary>How to run the model server: executable then leading arguments (e.g. <c>servesharp</c>, or <c>dotnet servesharp.dll</c>); <c>serve …</c> is appended.</summary>
    public IReadOnlyList<string> ServeCommand { get; set; } = [];

    /// <summary>
    /// How to run the built-in model server when it differs from <see cref="ServeCommand"/>: the natively compiled
    /// <c>servesharp-serve</c> of a published installation, which starts in a fraction of the time. Empty: use
    /// <see cref="ServeCommand"/>. <c>serve …</c> is appended all the same.
    /// </summary>
    public IReadOnlyList<string> ModelServerCommand { get; set; } = [];

    /// <summary>The command that runs <c>servesharp serve</c>: <see cref="ModelServerCommand"/>, else <see cref="ServeCommand"/>.</summary>
    public IReadOnlyList<string> EffectiveModelServerCommand => ModelServerCommand.Count > 0 ? ModelServerCommand : ServeCommand;

    /// <summary>Path of the SQLite store.</summary>
    public string StorePath => Path.Combine(DataDirectory, "store.db");

    /// <summary>Where downloaded models are kept.</summary>
    public string ModelDirectory => Path.Combine(DataDirectory, "models");

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("--data-dir must not be empty.");
        }

        if (IngressPort is < 0 or > 65535 || ApiPort is < 0 or > 65535 || (IngressPort == ApiPort && IngressPort != 0))
        {
            throw new ArgumentException($"--ingress-port ({IngressPort}) and --api-port ({ApiPort}) must be distinct ports in 0..65535.");
        }

        if (string.IsNullOrWhiteSpace(IngressDomain))
        {
            throw new ArgumentException("The ingress domain must not be empty.");
        }
    }
}
