using System.Text.RegularExpressions;

namespace MediaRetention.IntegrationTests.Readme;

/// <summary>
/// infra/README.md's commands need an Azure subscription, so they cannot run here; what they name of the template can
/// be checked: every parameter they pass and every deployment output they read exists in infra/main.bicep.
/// </summary>
public sealed partial class InfraReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "README.md"));
    private static readonly string Bicep = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "main.bicep"));

    [Fact]
    public void Every_parameter_the_infra_readme_passes_is_a_parameter_of_the_template()
    {
        var passed = PassedParameter().Matches(Readme).Select(m => m.Groups["name"].Value).Distinct().ToList();
        Assert.Contains("authClientId", passed);
        Assert.All(passed, name => Assert.Matches(new Regex($@"(?m)^param {Regex.Escape(name)} "), Bicep));
    }

    [Fact]
    public void Every_output_the_infra_readme_reads_is_an_output_of_the_template()
    {
        var read = ReadOutput().Matches(Readme).Select(m => m.Groups["name"].Value).Distinct().ToList();
        Assert.Contains("functionAppName", read);
        Assert.All(read, name => Assert.Matches(new Regex($@"(?m)^output {Regex.Escape(name)} "), Bicep));
    }

    [GeneratedRegex(@"-p (?<name>[A-Za-z][A-Za-z0-9]*)=")]
    private static partial Regex PassedParameter();

    [GeneratedRegex(@"properties\.outputs\.(?<name>[A-Za-z][A-Za-z0-9]*)\.value")]
    private static partial Regex ReadOutput();
}
