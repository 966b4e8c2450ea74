using System.Globalization;
using MediaRetention.Core.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Auth;

/// <summary>One refused request: from where, as whom, why, and what it asked for.</summary>
/// <param name="Target">The method and route template (<see cref="ApiAccess.DescribeRequest"/>), bounded.</param>
public sealed record Denial(string Client, string Actor, string? Role, string Reason, string Target)
{
    /// <summary>The request path, escaped and bounded; null when not known.</summary>
    public string? Path { get; init; }
}

/// <summary>
/// Writes denials to the audit log without letting anyone grow it at will: per client, caller and reason, the first
/// denial of a window (<see cref="AbuseOptions.DenialAuditWindow"/>) is an <c>access.denied</c> entry in full, and
/// the repeats are counted and written as one <c>access.denied.aggregated</c> entry once the window has closed (at
/// the next denial of that kind, by <see cref="DenialAuditFlushService"/>, or when the host stops). Every entry goes
/// through <see cref="IAuditLog.AppendAsync"/>, so the chain stays verifiable.
/// </summary>
public sealed class DenialAudit(IAuditLog audit, IOptions<AbuseOptions> options, TimeProvider time, ILogger<DenialAudit> logger)
{
    /// <summary>Where clients beyond <see cref="AbuseOptions.MaxTrackedClients"/> are counted together.</summary>
    public const string OverflowClient = "*";

    private readonly Lock gate = new();
    private readonly Dictionary<DenialKey, Window> windows = [];

    // Closed windows met by a counted denial, which cannot wait for storage: the flush writes them.
    private readonly List<Window> closedUnwritten = [];

    /// <summary>Audits the denial in full if it is the first of its kind in the window; otherwise counts it.</summary>
    public async Task RecordAsync(Denial denial, CancellationToken cancellationToken)
    {
        var (closed, writeFull) = Note(denial, written: true);
        if (closed is not null)
        {
            await WriteAggregateAsync(closed, cancellationToken);
        }

        if (writeFull)
        {
            await audit.AppendAsync(new AuditEvent(denial.Actor, AuditActions.AccessDenied, denial.Target, new Dictionary<string, string?>
            {
                ["role"] = denial.Role,
                ["reason"] = Bounded(denial.Reason),
                ["client"] = denial.Client,
                ["path"] = denial.Path,
            }), cancellationToken);
        }
    }

    /// <summary>
    /// Counts a denial that is never written on its own (a rate-limited request): it appears only in the window's
    /// aggregated entry, so refusing it costs no storage request.
    /// </summary>
    public void Count(Denial denial) => Note(denial, written: false);

    /// <summary>Writes the aggregated entry of every window that has closed (of every window when <paramref name="all"/>).</summary>
    public async Task FlushAsync(bool all, CancellationToken cancellationToken)
    {
        List<Window> due;
        lock (gate)
        {
            var now = time.GetUtcNow();
            due = windows.Values.Where(w => all || w.ClosesAt(options.Value.DenialAuditWindow) <= now).ToList();
            foreach (var window in due)
            {
                windows.Remove(window.Key);
            }

            due.InsertRange(0, closedUnwritten);
            closedUnwritten.Clear();
        }

        foreach (var window in due.Where(w => w.Repeats > 0))
        {
            await WriteAggregateAsync(window, cancellationToken);
        }
    }

    /// <summary>How many windows are open (for tests and diagnostics).</summary>
    public int OpenWindows
    {
        get
        {
            lock (gate)
            {
                return windows.Count;
            }
        }
    }

    private (Window? Closed, bool WriteFull) Note(Denial denial, bool written)
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            var key = new DenialKey(denial.Client, denial.Actor, denial.Reason);
            Window? closed = null;
            if (windows.TryGetValue(key, out var open))
            {
                if (now < open.ClosesAt(options.Value.DenialAuditWindow))
                {
                    open.Repeat(denial, now);
                    return (null, false);
                }

                windows.Remove(key);
                if (open.Repeats > 0 && written)
                {
                    closed = open;
                }
                else if (open.Repeats > 0)
                {
                    closedUnwritten.Add(open);
                }
            }
            else if (windows.Count >= options.Value.MaxTrackedClients)
            {
                // Too many distinct clients at once (a distributed attack): count the rest together.
                key = new DenialKey(OverflowClient, OverflowClient, "more clients than Abuse:MaxTrackedClients were denied in one window");
                if (windows.TryGetValue(key, out var overflow))
                {
                    overflow.Repeat(denial, now);
                }
                else
                {
                    logger.LogWarning("More than {Max} clients denied within one window; further ones are audited as one count", options.Value.MaxTrackedClients);
                    windows[key] = Window.Counted(key, denial, now);
                }

                return (null, false);
            }

            windows[key] = written ? Window.Opened(key, denial, now) : Window.Counted(key, denial, now);
            return (closed, written);
        }
    }

    private async Task WriteAggregateAsync(Window window, CancellationToken cancellationToken)
    {
        try
        {
            await audit.AppendAsync(new AuditEvent(window.Key.Actor, AuditActions.AccessDeniedAggregated, "client/" + window.Key.Client,
                new Dictionary<string, string?>
                {
                    ["client"] = window.Key.Client,
                    ["role"] = window.Role,
                    ["reason"] = window.Key.Reason,
                    ["count"] = window.Repeats.ToString(CultureInfo.InvariantCulture),
                    ["from"] = window.Start.ToString("O", CultureInfo.InvariantCulture),
                    ["to"] = window.Last.ToString("O", CultureInfo.InvariantCulture),
                    ["lastTarget"] = window.LastTarget,
                    ["firstAudited"] = window.FirstWritten ? "true" : "false",
                }), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The denials themselves were answered; only their count is lost. The client address stays out of the log.
            logger.LogError(e, "Could not write an aggregated access-denied entry for {Count} denials", window.Repeats);
        }
    }

    // Reasons quote bits of the request (a hold id): keep them within what an audit entry holds.
    private static string Bounded(string reason) => reason.Length <= 500 ? reason : reason[..500] + "...";

    private readonly record struct DenialKey(string Client, string Actor, string Reason);

    private sealed class Window
    {
        private Window(DenialKey key, Denial first, DateTimeOffset start, bool firstWritten)
        {
            Key = key;
            Role = first.Role;
            Start = start;
            Last = start;
            LastTarget = first.Target;
            FirstWritten = firstWritten;
            Repeats = firstWritten ? 0 : 1;
        }

        public DenialKey Key { get; }
        public string? Role { get; }
        public DateTimeOffset Start { get; }
        public DateTimeOffset Last { get; private set; }
        public string LastTarget { get; private set; }

        /// <summary>Whether the window's first denial has its own full entry.</summary>
        public bool FirstWritten { get; }

        /// <summary>Denials of the window not written on their own.</summary>
        public int Repeats { get; private set; }

        public static Window Opened(DenialKey key, Denial first, DateTimeOffset now) => new(key, first, now, firstWritten: true);

        public static Window Counted(DenialKey key, Denial first, DateTimeOffset now) => new(key, first, now, firstWritten: false);

        public DateTimeOffset ClosesAt(TimeSpan length) => Start + length;

        public void Repeat(Denial denial, DateTimeOffset now)
        {
            Repeats++;
            Last = now;
            LastTarget = denial.Target;
        }
    }
}
