using System.Text.RegularExpressions;

namespace MediaRetention.IntegrationTests.Readme;

/// <summary>One fenced code block of a Markdown file, marked by <c>&lt;!-- readme-example: NAME --&gt;</c> just before it.</summary>
/// <param name="Attributes">further <c>key=value</c> words of the marker, e.g. <c>file=upload.cs</c>: save the block as that file.</param>
public sealed record ReadmeExample(string Name, string Language, string Code, int Line, IReadOnlyDictionary<string, string> Attributes)
{
    public string? FileName => Attributes.GetValueOrDefault("file");

    public override string ToString() => $"README example '{Name}' (line {Line})";
}

/// <summary>
/// The marked code blocks of a Markdown file. A marker is an HTML comment, invisible on GitHub, on the line (or the
/// blank lines) before a fenced block; the block is taken exactly as a reader sees it.
/// </summary>
public sealed partial class ReadmeExamples
{
    private readonly Dictionary<string, ReadmeExample> examples;

    private ReadmeExamples(Dictionary<string, ReadmeExample> examples) => this.examples = examples;

    public IReadOnlyCollection<string> Names => examples.Keys;

    public ReadmeExample this[string name] => examples.TryGetValue(name, out var example)
        ? example
        : throw new KeyNotFoundException($"README.md has no code block marked '<!-- readme-example: {name} -->'; marked are: {string.Join(", ", examples.Keys)}");

    public static ReadmeExamples Load(string path) => Parse(File.ReadAllText(path));

    public static ReadmeExamples Parse(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var found = new Dictionary<string, ReadmeExample>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = Marker().Match(lines[i]);
            if (!marker.Success)
            {
                continue;
            }

            var words = marker.Groups["words"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var name = words[0];
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var word in words.Skip(1))
            {
                var pair = word.Split('=', 2);
                if (pair.Length != 2)
                {
                    throw new FormatException($"line {i + 1}: marker '{name}' has '{word}', expected key=value");
                }

                attributes[pair[0]] = pair[1];
            }

            var open = i + 1;
            while (open < lines.Length && lines[open].Trim().Length == 0)
            {
                open++;
            }

            var fence = open < lines.Length ? Fence().Match(lines[open]) : Match.Empty;
            if (!fence.Success)
            {
                throw new FormatException($"line {i + 1}: marker '{name}' is not followed by a fenced code block");
            }

            var close = open + 1;
            while (close < lines.Length && lines[close].TrimEnd() != fence.Groups["fence"].Value)
            {
                close++;
            }

            if (close == lines.Length)
            {
                throw new FormatException($"line {open + 1}: the code block of '{name}' is not closed");
            }

            var code = string.Join('\n', lines[(open + 1)..close]) + "\n";
            if (!found.TryAdd(name, new ReadmeExample(name, fence.Groups["lang"].Value, code, open + 1, attributes)))
            {
                throw new FormatException($"line {i + 1}: a second code block is marked '{name}'");
            }

            i = close;
        }

        return new ReadmeExamples(found);
    }

    [GeneratedRegex(@"^\s*<!--\s*readme-example:\s*(?<words>[^>]*?)\s*-->\s*$")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^(?<fence>```+)(?<lang>[A-Za-z0-9_+-]*)\s*$")]
    private static partial Regex Fence();
}
