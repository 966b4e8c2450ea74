namespace MediaRetention.Runner.WebConsole;

/// <summary>Section <c>Console</c> (runner only).</summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "Console";

    /// <summary>
    /// Add a CORS rule on the blob service for the console's origins at start-up, so "verify in this browser" can
    /// read evidence. Needs the right to set blob service properties (an account key, e.g. Azurite's).
    /// </summary>
    public bool ConfigureStorageCors { get; set; } = true;

    /// <summary>
    /// Origins the console is opened from besides the runner's own listening addresses, e.g. a reverse proxy's
    /// <c>https://media.example.org</c>.
    /// </summary>
    public List<string> Origins { get; set; } = [];
}
