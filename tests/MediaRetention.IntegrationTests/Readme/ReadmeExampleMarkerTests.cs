namespace MediaRetention.IntegrationTests.Readme;

/// <summary>The markers of README examples, and that every marked example is run by <see cref="ReadmeExamplesTests"/>.</summary>
public sealed class ReadmeExampleMarkerTests
{
    /// <summary>Every marked README example that ReadmeExamplesTests runs (or, for the banner, compares).</summary>
    public static readonly IReadOnlySet<string> Covered = new HashSet<string>(StringComparer.Ordinal)
    {
        "banner", "dev-keys", "upload-az", "upload-dotnet", "upload-dotnet-run", "list-media", "place-hold", "approve-hold",
        "list-holds",
        "liaison", "release-hold", "rekey-phone-hashes", "open-subject-request", "subject-request-queue", "subject-erasure",
    };

    public static ReadmeExamples Readme { get; } = ReadmeExamples.Load(Path.Combine(RepositoryRoot.Path, "README.md"));

    [Fact]
    public void Every_marked_readme_example_is_run_by_a_test_and_every_example_a_test_runs_is_marked()
    {
        Assert.True(
            Readme.Names.ToHashSet().SetEquals(Covered),
            $"marked in README.md but run by no test: {string.Join(", ", Readme.Names.Except(Covered))}; "
            + $"run by a test but not marked: {string.Join(", ", Covered.Except(Readme.Names))}");
    }

    [Fact]
    public void A_marker_names_the_fenced_block_after_it_with_its_attributes()
    {
        var examples = ReadmeExamples.Parse("""
            # Title

            <!-- readme-example: first -->
            ```bash
            echo one
            ```

            <!-- readme-example: second file=upload.cs -->

            ```csharp
            Console.WriteLine();
            ```
            ```bash
            echo unmarked
            ```
            """);

        Assert.Equal(["first", "second"], examples.Names.Order());
        Assert.Equal("bash", examples["first"].Language);
        Assert.Equal("echo one\n", examples["first"].Code);
        Assert.Equal(4, examples["first"].Line);
        Assert.Equal("upload.cs", examples["second"].FileName);
        Assert.Equal("Console.WriteLine();\n", examples["second"].Code);
        Assert.Contains("marked are: first, second", Assert.Throws<KeyNotFoundException>(() => examples["third"]).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<!-- readme-example: a -->\ntext\n```bash\nx\n```\n", "is not followed by a fenced code block")]
    [InlineData("<!-- readme-example: a -->\n```bash\nx\n", "is not closed")]
    [InlineData("<!-- readme-example: a -->\n```bash\nx\n```\n<!-- readme-example: a -->\n```bash\ny\n```\n", "a second code block is marked 'a'")]
    [InlineData("<!-- readme-example: a file -->\n```bash\nx\n```\n", "expected key=value")]
    public void A_broken_marker_is_an_error_not_a_silently_skipped_example(string markdown, string message)
    {
        Assert.Contains(message, Assert.Throws<FormatException>(() => ReadmeExamples.Parse(markdown)).Message, StringComparison.Ordinal);
    }
}
