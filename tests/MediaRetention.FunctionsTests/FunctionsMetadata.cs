using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MediaRetention.FunctionsTests;

/// <summary>
/// The <c>functions.metadata</c> that the Worker SDK generates when it builds the Functions app: what the Functions
/// host reads to index triggers and bindings, and so the app's contract with Azure.
/// </summary>
public sealed record FunctionsMetadata(IReadOnlyList<FunctionEntry> Functions)
{
    public static FunctionsMetadata Load()
    {
        var path = Path.Combine(RepositoryRoot.Path, "functions", "MediaRetention.Functions", "bin", BuildConfiguration,
            "net10.0", "functions.metadata");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"No functions.metadata at {path}: build functions/MediaRetention.Functions in {BuildConfiguration} first (scripts/test.sh does).", path);
        }

        var entries = JsonNode.Parse(File.ReadAllText(path))!.AsArray()
            .Select(f => new FunctionEntry(
                (string)f!["name"]!,
                (string)f["entryPoint"]!,
                f["bindings"]!.AsArray().Select(b => b!.AsObject()).ToList()))
            .ToList();
        return new FunctionsMetadata(entries);
    }

    public FunctionEntry this[string name] => Functions.SingleOrDefault(f => f.Name == name)
        ?? throw new KeyNotFoundException($"functions.metadata has no function '{name}'; it has: {string.Join(", ", Functions.Select(f => f.Name))}");

    public IEnumerable<FunctionEntry> WithTrigger(string type) => Functions.Where(f => f.Trigger.Type == type);

    // The tests run in the configuration they were built in, and the Functions app was built with them.
    private static string BuildConfiguration =>
        typeof(FunctionsMetadata).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
}

public sealed record FunctionEntry(string Name, string EntryPoint, IReadOnlyList<JsonObject> Bindings)
{
    public Binding Trigger => new(Bindings.Single(b => ((string?)b["type"])?.EndsWith("Trigger", StringComparison.Ordinal) == true));
}

public sealed record Binding(JsonObject Json)
{
    public string Type => (string)Json["type"]!;

    public string? this[string property] => Json[property] switch
    {
        null => null,
        JsonValue v => v.ToString(),
        var other => other.ToJsonString(JsonSerializerOptions.Default),
    };

    public IReadOnlyList<string> Methods => Json["methods"]?.AsArray().Select(m => ((string)m!).ToUpperInvariant()).ToList() ?? [];
}
