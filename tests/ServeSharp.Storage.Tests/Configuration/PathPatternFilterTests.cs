using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Tests.Configuration;

public sealed class PathPatternFilterTests
{
    private static PathPatternFilter From(string? allow, string? ignore)
    {
        var variables = new Dictionary<string, string>();
        if (allow is not null)
        {
            variables["STORAGE_ALLOW_PATTERNS"] = allow;
        }

        if (ignore is not null)
        {
            variables["STORAGE_IGNORE_PATTERNS"] = ignore;
        }

        return PathPatternFilter.FromEnvironment(StorageEnvironment.From(variables));
    }

    [Theory]
    [InlineData("[\"*.safetensors\"]", null, "model.safetensors", true)]
    [InlineData("[\"*.safetensors\"]", null, "model.bin", false)]
    [InlineData("*.json, tokenizer/", null, "tokenizer/vocab.txt", true)]
    [InlineData("*.json, tokenizer/", null, "sub/config.json", true)] // fnmatch's * crosses '/'
    [InlineData(null, "*.bin,*.gguf", "weights.gguf", false)]
    [InlineData(null, "*.bin,*.gguf", "weights.safetensors", true)]
    [InlineData("model-?.onnx", null, "model-1.onnx", true)]
    [InlineData("model-[!0].onnx", null, "model-0.onnx", false)]
    [InlineData("*.json", "config.json", "config.json", false)]
    public void Patterns_MatchLikeFnmatch(string? allow, string? ignore, string path, bool included)
    {
        Assert.Equal(included, From(allow, ignore).Includes(path));
    }

    [Fact]
    public void InvalidJsonArray_IsAConfigurationError()
    {
        var error = Assert.Throws<StorageException>(() => From("[\"unterminated", null));

        Assert.Equal(StorageErrorKind.Configuration, error.Kind);
        Assert.Contains("STORAGE_ALLOW_PATTERNS", error.Message, StringComparison.Ordinal);
    }
}
