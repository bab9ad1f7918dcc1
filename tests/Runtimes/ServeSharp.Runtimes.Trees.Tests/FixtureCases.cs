using System.Text.Json;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Trees.Tests;

/// <summary>Reads the committed fixture folders (model files + expected.json) produced by tools/fixtures/trees.</summary>
internal static class FixtureCases
{
    public static string Root(string format) => Path.Combine(AppContext.BaseDirectory, "Fixtures", format);

    public static IEnumerable<string> CaseNames(string format) =>
        Directory.EnumerateDirectories(Root(format)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static JsonDocument Expected(string format, string caseName) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root(format), caseName, "expected.json")));

    /// <summary>The rows of expected.json (null = NaN) as a row-major FP64 tensor.</summary>
    public static Tensor Rows(JsonElement rows, string name = "input-0")
    {
        var list = rows.EnumerateArray().Select(r => r.EnumerateArray()
            .Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray()).ToArray();
        var features = list[0].Length;
        return new Tensor(name, TensorDataType.FP64, [list.Length, features], list.SelectMany(r => r).ToArray());
    }

    /// <summary>Each row of a [rows, features] FP64 tensor as its own [1, features] tensor.</summary>
    public static IEnumerable<Tensor> SplitRows(Tensor matrix)
    {
        var features = (int)matrix.Shape[1];
        var data = matrix.GetData<double>();
        for (var r = 0; r < matrix.Shape[0]; r++)
        {
            yield return new Tensor(matrix.Name, TensorDataType.FP64, [1, features], data.AsSpan(r * features, features).ToArray());
        }
    }

    /// <summary>A temporary model directory holding only <paramref name="files"/> (copied).</summary>
    public static TempDirectory DirectoryWith(params string[] files)
    {
        var dir = new TempDirectory();
        foreach (var file in files)
        {
            File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        }

        return dir;
    }
}

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "servesharp-trees-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
