using ServeSharp.Control.Admission;
using k8s.Models;

namespace ServeSharp.Control.Runtimes;

/// <summary><c>utils.UpdateImageTag</c> (control-plane.md §3.6).</summary>
public static class ImageTag
{
    /// <summary>The image the container should run.</summary>
    public static string Adjust(string image, string? runtimeVersion, string? serverType, V1ResourceRequirements? resources)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Contains("@sha256:", StringComparison.Ordinal))
        {
            return image;
        }
        var (repository, tag) = Split(image);
        if (!string.IsNullOrEmpty(runtimeVersion))
        {
            return $"{repository}:{runtimeVersion}";
        }
        var gpu = GpuResourceTypes.RequestsGpu(resources);
        if (gpu && serverType is "tensorflow-serving" or "torchserve" or "huggingfaceserver")
        {
            return image + "-gpu";
        }
        if (!gpu && serverType == "vllmserver")
        {
            return tag is null ? $"{repository}-cpu" : $"{repository}-cpu:{tag}";
        }
        return image;
    }

    private static (string Repository, string? Tag) Split(string image)
    {
        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, null);
    }
}
