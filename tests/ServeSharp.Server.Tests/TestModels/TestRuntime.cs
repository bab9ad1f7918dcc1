using ServeSharp.Abstractions;

namespace ServeSharp.Server.Tests.TestModels;

/// <summary>
/// Format <c>test</c>: a directory with a file <c>model.test</c> whose text names the model kind (<c>echo</c>,
/// <c>sum</c>, <c>explain</c>, <c>fp16</c>, <c>fail</c>, <c>headers</c>); <c>broken</c> fails to load with a ModelLoadException.
/// </summary>
internal sealed class TestRuntime : IModelRuntime
{
    public const string FileName = "model.test";

    public string Format => "test";

    public int Loads { get; private set; }

    public bool CanLoad(string modelDirectory) => File.Exists(Path.Combine(modelDirectory, FileName));

    public async ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        var path = Path.Combine(context.ModelDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"{path} is missing.");
        }

        Loads++;
        var kind = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        return kind switch
        {
            "echo" => new EchoModel(context.Name),
            "sum" => new SumModel(context.Name),
            "explain" => new ExplainableEchoModel(context.Name),
            "fp16" => new Fp16OutputModel(context.Name),
            "fail" => new FailingModel(context.Name),
            "headers" => new HeadersModel(context.Name),
            _ => throw new ModelLoadException($"{path}: unknown test model kind '{kind}'."),
        };
    }

    /// <summary>Creates a model directory of the given kind under <paramref name="root"/>.</summary>
    public static string CreateModelDirectory(string root, string name, string kind)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, FileName), kind);
        return dir;
    }
}
