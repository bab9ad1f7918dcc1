namespace ServeSharp.Storage.Cache;

/// <summary>Where downloaded models are kept and how much disk they may use.</summary>
public sealed class ModelCacheOptions
{
    /// <summary>Cache folder; each model is a sub-folder named by its content key.</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "servesharp-model-cache");

    /// <summary>Total size above which least-recently-used models are removed. Default 50 GiB.</summary>
    public long MaxBytes { get; set; } = 50L * 1024 * 1024 * 1024;

    /// <summary>Throws when the settings are unusable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Root))
        {
            throw new StorageException(StorageErrorKind.Configuration, "ModelCacheOptions.Root must name a directory.");
        }

        if (MaxBytes <= 0)
        {
            throw new StorageException(StorageErrorKind.Configuration, "ModelCacheOptions.MaxBytes must be positive.");
        }
    }
}
