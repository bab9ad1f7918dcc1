using ServeSharp.Server.Hosting;

namespace ServeSharp.Serving;

/// <summary>Parses <c>--model NAME[:FORMAT]=DIR</c>, e.g. <c>iris=/models/iris</c> or <c>iris:onnx=/models/iris</c>.</summary>
internal static class ModelSpecParser
{
    public static ModelSource Parse(string spec)
    {
        var equals = spec.IndexOf('=');
        if (equals <= 0 || equals == spec.Length - 1)
        {
            throw new ArgumentException($"--model '{spec}' must look like NAME=DIR or NAME:FORMAT=DIR (e.g. iris:onnx=/models/iris).");
        }

        var left = spec[..equals];
        var dir = spec[(equals + 1)..];
        var colon = left.IndexOf(':');
        var name = colon < 0 ? left : left[..colon];
        var format = colon < 0 ? null : left[(colon + 1)..];
        if (format is { Length: 0 })
        {
            throw new ArgumentException($"--model '{spec}' has an empty format after ':'.");
        }

        ModelNameRules.Check(name);
        return new ModelSource(name, dir, format);
    }
}
