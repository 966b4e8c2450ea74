using System.Text;
using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Audit;

/// <summary>
/// <see cref="IAuditLog"/> over Azure Table Storage; see <see cref="AuditTableLayout"/> for the rows.
/// </summary>
/// <remarks>
/// <para>
/// An append reads the head row with its ETag, then submits ONE transaction that adds the new entries and
/// replaces the head If-Match that ETag (or adds the head when there is none). Of two writers that read the
/// same head only one transaction can commit; the other gets 412/409, re-reads and rebuilds on the new head.
/// So the chain is linear however many hosts write, and entries and head can never disagree.
/// </para>
/// <para>
/// Within one instance, concurrent appends are grouped (group commit): one commit loop at a time drains the
/// queue into a single transaction. Without it every task of every host would race for the one head row and
/// contention would grow with the square of the number of writers; with it, only hosts race.
/// </para>
/// </remarks>
public sealed class TableAuditLog : IAuditLog, IAuditChain
{
    /// <summary>A table transaction holds 100 operations; one is the head row.</summary>
    public const int MaxEntriesPerTransaction = 99;

    public const int MaxPageSize = 1000;

    /// <summary>Actor, action and target are identifiers, not documents.</summary>
    public const int MaxFieldLength = 1024;

    /// <summary>A table string property holds 64 KiB of UTF-16; leave room below it.</summary>
    public const int MaxDetailsJsonLength = 30_000;

    private const int MaxCommitAttempts = 40;

    // Storage errors (not conflicts) are already retried inside the SDK; a few more rounds, then give up so a
    // storage outage does not hold every queued caller for minutes.
    private const int MaxStorageFailures = 3;

    // A transaction is limited to 4 MiB; strings count as UTF-16 on the wire-side limit, so estimate 2 bytes a char.
    private const long TransactionBudgetBytes = 3L * 1024 * 1024;
    private const int EntryOverheadBytes = 1024;

    private readonly TableClient table;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly Queue<PendingAppend> queue = new();
    private bool committing;

    public TableAuditLog(TableServiceClient service, IOptions<MediaStorageOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        table = service.GetTableClient(options.Value.AuditTable);
        this.time = time;
    }

    public async Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var entries = await AppendManyAsync([auditEvent], cancellationToken);
        return entries[0];
    }

    public async Task<IReadOnlyList<AuditEntry>> AppendManyAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        // Validate everything first, so a bad event late in the list does not leave the early chunks recorded.
        var prepared = events.Select(Prepare).ToList();
        var appended = new List<AuditEntry>(prepared.Count);
        foreach (var chunk in Chunk(prepared))
        {
            // One chunk at a time: a failed chunk must not be followed by later ones landing after the gap.
            appended.AddRange(await EnqueueAsync(chunk, cancellationToken));
        }

        return appended;
    }

    public async Task<AuditPage> QueryAsync(
        DateTimeOffset? from,
        DateTimeOffset? to,
        string? continuationToken,
        int pageSize,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        // Time never decreases along the chain (Build), so a time window is a run of sequences: its ends are found by
        // binary search once, and every page is then one key-range query. The token carries the range.
        long first, end;
        if (continuationToken is null)
        {
            first = from is { } lower ? await FirstSequenceAtOrAfterAsync(lower, cancellationToken) : 1;
            end = to is { } upper ? await FirstSequenceAtOrAfterAsync(upper, cancellationToken) : long.MaxValue;
        }
        else if (!TryParseQueryToken(continuationToken, out first, out end))
        {
            throw new InvalidContinuationTokenException("'continuationToken' is not one this audit listing issued; ask for the first page without it.");
        }

        if (first >= end)
        {
            return new AuditPage([], null);
        }

        var filter = AuditTableLayout.EntriesFilter + " and " + TableClient.CreateQueryFilter($"RowKey ge {AuditTableLayout.RowKey(first)}");
        if (end != long.MaxValue)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey lt {AuditTableLayout.RowKey(end)}");
        }

        await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken)
                           .AsPages(pageSizeHint: pageSize).WithCancellation(cancellationToken))
        {
            if (page.Values.Count == 0)
            {
                continue; // Azure may answer an empty page that continues
            }

            var entries = page.Values.Select(ToEntryOrThrow).ToList();
            var next = page.ContinuationToken is null ? null : QueryToken(entries[^1].Sequence + 1, end);
            return new AuditPage(entries, next);
        }

        return new AuditPage([], null);
    }

    /// <summary>
    /// The first sequence whose time is at or after <paramref name="instant"/> (one past the last entry when none is):
    /// a binary search of one-row key-range reads, about 20 requests for a million entries. A missing entry (a gap)
    /// is stepped over by reading the next row that exists; a row whose time cannot be read counts as "at or after",
    /// so a window starts early rather than late.
    /// </summary>
    public async Task<long> FirstSequenceAtOrAfterAsync(DateTimeOffset instant, CancellationToken cancellationToken)
    {
        var head = await ReadHeadRowAsync(cancellationToken);
        long low = 1, high = (head?.Sequence ?? 0) + 1; // the answer is in [low, high]
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            var (sequence, time) = await FirstRowFromAsync(mid, cancellationToken);
            if (sequence is null || sequence >= high)
            {
                high = mid;
            }
            else if (time is { } t && t < instant)
            {
                low = sequence.Value + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private async Task<(long? Sequence, DateTimeOffset? Time)> FirstRowFromAsync(long sequence, CancellationToken cancellationToken)
    {
        var filter = AuditTableLayout.EntriesFilter + " and " + TableClient.CreateQueryFilter($"RowKey ge {AuditTableLayout.RowKey(sequence)}");
        // The whole row, not a projection: a projected DateTime can come back without its type and read as text.
        await foreach (var page in table.QueryAsync<TableEntity>(filter, 1, cancellationToken: cancellationToken)
                           .AsPages(pageSizeHint: 1).WithCancellation(cancellationToken))
        {
            if (page.Values.Count > 0)
            {
                var row = page.Values[0];
                return (AuditTableLayout.TryParseRowKey(row.RowKey, out var found) ? found : null, row.GetDateTimeOffset(AuditTableLayout.TimeProperty));
            }
        }

        return (null, null);
    }

    private static string QueryToken(long next, long end) =>
        "q1:" + next.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + end.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool TryParseQueryToken(string token, out long next, out long end)
    {
        next = end = 0;
        var parts = token.Split(':');
        return parts is ["q1", var n, var e]
            && long.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out next)
            && long.TryParse(e, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out end)
            && next >= 1;
    }

    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => VerifyAsync([], cancellationToken);

    public async Task<AuditChainHead?> ReadHeadAsync(CancellationToken cancellationToken) =>
        await ReadHeadRowAsync(cancellationToken) is { } head ? new AuditChainHead(head.Sequence, head.Hash, head.Time) : null;

    public async Task<AuditVerification> VerifyAsync(IReadOnlyList<AuditAnchor> anchors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        var walker = new ChainWalker(anchors, 1, AuditHash.Genesis);

        // The whole partition, not just digit keys: a row that is neither an entry nor the head is a finding too.
        var rows = table.QueryAsync<TableEntity>(AuditTableLayout.PartitionFilter, MaxPageSize, cancellationToken: cancellationToken);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            walker.Visit(row);
        }

        return walker.Finish();
    }

    public async Task<AuditVerificationPage> VerifyPageAsync(
        AuditChainPosition from, IReadOnlyList<AuditAnchor> anchors, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxVerifyPageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(from.NextSequence, 1);
        var walker = new ChainWalker(anchors, from.NextSequence, from.PreviousHash);

        // Every row from the position on, the head and stray keys included (they sort after the digit keys), until the
        // page holds pageSize entries: one key range, whatever the length of the chain before it.
        var filter = from.NextSequence == 1
            ? AuditTableLayout.PartitionFilter // from the start: rows sorting before the first entry are findings too
            : AuditTableLayout.PartitionFilter + " and " + TableClient.CreateQueryFilter($"RowKey ge {AuditTableLayout.RowKey(from.NextSequence)}");
        var rows = table.QueryAsync<TableEntity>(filter, Math.Min(pageSize + 1, MaxPageSize), cancellationToken: cancellationToken);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (walker.EntriesChecked == pageSize && AuditTableLayout.TryParseRowKey(row.RowKey, out _))
            {
                // Another entry follows: the page ends here and the next one resumes at it, with the hash it must link to.
                return new AuditVerificationPage(walker.Partial(), walker.Position) { From = from.NextSequence };
            }

            walker.Visit(row);
        }

        return new AuditVerificationPage(walker.Finish(), null) { From = from.NextSequence };
    }

    public async Task<AuditChainPosition?> PositionBeforeAsync(long sequence, CancellationToken cancellationToken)
    {
        if (sequence <= 1)
        {
            return new AuditChainPosition(1, AuditHash.Genesis);
        }

        var row = await table.GetEntityIfExistsAsync<TableEntity>(
            AuditTableLayout.PartitionKey, AuditTableLayout.RowKey(sequence - 1), [AuditTableLayout.HashProperty], cancellationToken);
        return row.HasValue && row.Value!.GetString(AuditTableLayout.HashProperty) is { } hash ? new AuditChainPosition(sequence, hash) : null;
    }

    /// <summary>Longest page of a paged verification (entries); the HTTP route allows less.</summary>
    public const int MaxVerifyPageSize = 10_000;

    /// <summary>
    /// The chain checked row by row in key order: contiguity, each entry's hash and its link to the one before, the
    /// anchors naming an entry of the range, and once the head row is reached, the head and truncation checks. A walk
    /// may start anywhere, given the sequence it expects and the hash the entry there must link to.
    /// </summary>
    private sealed class ChainWalker(IReadOnlyList<AuditAnchor> anchors, long expected, string previousHash)
    {
        private readonly Dictionary<long, List<AuditAnchor>> anchored = anchors.GroupBy(a => a.Sequence).ToDictionary(g => g.Key, g => g.ToList());
        private readonly List<AuditBreak> breaks = [];
        private long? lastSequence = expected > 1 ? expected - 1 : null;
        private AuditHead? head;
        private bool headRowSeen;

        public long EntriesChecked { get; private set; }

        /// <summary>Where a walk that stopped here resumes.</summary>
        public AuditChainPosition Position => new(expected, previousHash);

        public void Visit(TableEntity row)
        {
            if (row.RowKey == AuditTableLayout.HeadRowKey)
            {
                headRowSeen = true;
                if (!AuditTableLayout.TryToHead(row, out head))
                {
                    breaks.Add(new AuditBreak(lastSequence ?? 0, "head row is unreadable (edited)"));
                }

                return;
            }

            if (!AuditTableLayout.TryParseRowKey(row.RowKey, out var sequence))
            {
                breaks.Add(new AuditBreak(lastSequence ?? 0, $"row '{row.RowKey}' is not an audit entry (written outside the log)"));
                return;
            }

            EntriesChecked++;
            if (anchored.TryGetValue(sequence, out var anchorsHere))
            {
                CheckAnchors(sequence, row.GetString(AuditTableLayout.HashProperty), anchorsHere, breaks);
            }

            var contiguous = sequence == expected;
            if (!contiguous)
            {
                breaks.Add(Missing(expected, sequence - 1, suffix: null));
            }

            if (AuditTableLayout.TryToEntry(row, sequence, out var entry, out var problem))
            {
                // After a gap the link cannot be checked: the entry it points at is the missing one.
                if (contiguous && !string.Equals(entry.PreviousHash, previousHash, StringComparison.Ordinal))
                {
                    breaks.Add(new AuditBreak(sequence, sequence == 1
                        ? "entry 1: previous hash is not the genesis hash"
                        : $"entry {sequence}: previous hash does not match entry {sequence - 1}"));
                }

                if (!AuditHash.Matches(entry))
                {
                    breaks.Add(new AuditBreak(sequence, $"entry {sequence}: content does not match its hash (edited)"));
                }

                // The stored hash, not a recomputed one: an edit shows at the edited entry, not also at the next.
                previousHash = entry.Hash;
            }
            else
            {
                breaks.Add(new AuditBreak(sequence, $"entry {sequence}: {problem} (edited)"));
                previousHash = row.GetString(AuditTableLayout.HashProperty) ?? string.Empty;
            }

            expected = sequence + 1;
            lastSequence = sequence;
        }

        /// <summary>What this part of the chain showed; the head and truncation are checked by the page that reaches the end.</summary>
        public AuditVerification Partial() => new(breaks.Count == 0, EntriesChecked, null, [.. breaks])
        {
            AnchorsChecked = anchors.Count,
            LastAnchor = LastAnchor,
        };

        public AuditVerification Finish()
        {
            CheckHead(head, headRowSeen, lastSequence, previousHash, breaks);
            CheckTruncation(lastSequence ?? 0, anchors, breaks);
            return new AuditVerification(breaks.Count == 0, EntriesChecked, head?.Sequence, [.. breaks])
            {
                HeadHash = head?.Hash,
                AnchorsChecked = anchors.Count,
                LastAnchor = LastAnchor,
            };
        }

        private AuditAnchor? LastAnchor => anchors.Count == 0 ? null : anchors.MaxBy(a => (a.Sequence, a.AnchoredAt));
    }

    // The stored hash, not a recomputed one: a consistent rewrite recomputes every hash from the edited entry
    // on, so the chain checks out internally and only the anchor still knows the original.
    private static void CheckAnchors(long sequence, string? storedHash, List<AuditAnchor> anchors, List<AuditBreak> breaks)
    {
        var differing = anchors.Where(a => !string.Equals(a.Hash, storedHash, StringComparison.Ordinal)).ToList();
        if (differing.Count > 0)
        {
            var first = differing.MinBy(a => a.AnchoredAt)!;
            breaks.Add(new AuditBreak(sequence,
                $"entry {sequence}: hash differs from the one anchored at {first.AnchoredAt.UtcDateTime:O} (rewritten at or before this entry)"));
        }
    }

    private static void CheckTruncation(long lastEntry, IReadOnlyList<AuditAnchor> anchors, List<AuditBreak> breaks)
    {
        var furthest = anchors.Where(a => a.Sequence > lastEntry).MaxBy(a => a.Sequence);
        if (furthest is not null)
        {
            breaks.Add(new AuditBreak(lastEntry + 1,
                $"the chain ends at entry {lastEntry} but entry {furthest.Sequence} was anchored at {furthest.AnchoredAt.UtcDateTime:O} (truncated)"));
        }
    }

    private static void CheckHead(AuditHead? head, bool headRowSeen, long? lastSequence, string lastHash, List<AuditBreak> breaks)
    {
        if (head is null)
        {
            if (!headRowSeen && lastSequence is { } last)
            {
                breaks.Add(new AuditBreak(last, "head row missing: removal of entries at the end cannot be ruled out"));
            }

            return;
        }

        var lastEntry = lastSequence ?? 0;
        if (head.Sequence > lastEntry)
        {
            breaks.Add(Missing(lastEntry + 1, head.Sequence, suffix: $" (at the end; the head is at {head.Sequence})"));
        }
        else if (head.Sequence < lastEntry)
        {
            breaks.Add(new AuditBreak(head.Sequence + 1, head.Sequence + 1 == lastEntry
                ? $"entry {lastEntry} is beyond the head (at {head.Sequence}): not written through the log"
                : $"entries {head.Sequence + 1}-{lastEntry} are beyond the head (at {head.Sequence}): not written through the log"));
        }
        else if (!string.Equals(head.Hash, lastHash, StringComparison.Ordinal))
        {
            breaks.Add(new AuditBreak(lastEntry, $"head hash does not match entry {lastEntry}"));
        }
    }

    private static AuditBreak Missing(long first, long last, string? suffix) => new(first, first == last
        ? $"entry {first} missing{suffix}"
        : $"entries {first}-{last} missing{suffix}");

    private Task<IReadOnlyList<AuditEntry>> EnqueueAsync(List<PreparedEvent> events, CancellationToken cancellationToken)
    {
        var pending = new PendingAppend(events, cancellationToken);
        bool lead;
        lock (gate)
        {
            queue.Enqueue(pending);
            lead = !committing;
            committing = true;
        }

        if (lead)
        {
            // Not the caller's token: the loop commits other callers' events too, and its attempts are bounded.
            _ = Task.Run(CommitQueuedAsync, CancellationToken.None);
        }

        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    private async Task CommitQueuedAsync()
    {
        while (true)
        {
            List<PendingAppend> batch;
            lock (gate)
            {
                batch = TakeBatch();
                if (batch.Count == 0)
                {
                    committing = false;
                    return;
                }
            }

            try
            {
                var entries = await CommitAsync(batch.SelectMany(p => p.Events).ToList(), CancellationToken.None);
                var offset = 0;
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetResult(entries.Skip(offset).Take(pending.Events.Count).ToList());
                    offset += pending.Events.Count;
                }
            }
#pragma warning disable CA1031 // Whatever failed, every waiting caller must get it, and the loop must go on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(e);
                }
            }
        }
    }

    /// <summary>Oldest first, whole requests only, within the transaction's count and size limits. Caller holds the gate.</summary>
    private List<PendingAppend> TakeBatch()
    {
        var batch = new List<PendingAppend>();
        var count = 0;
        long bytes = 0;
        while (queue.TryPeek(out var next))
        {
            if (next.CancellationToken.IsCancellationRequested)
            {
                // Not yet handed to storage, so cancelling really means not recorded.
                queue.Dequeue().Completion.TrySetCanceled(next.CancellationToken);
                continue;
            }

            if (batch.Count > 0 && (count + next.Events.Count > MaxEntriesPerTransaction || bytes + next.Bytes > TransactionBudgetBytes))
            {
                break;
            }

            batch.Add(queue.Dequeue());
            count += next.Events.Count;
            bytes += next.Bytes;
        }

        return batch;
    }

    private async Task<IReadOnlyList<AuditEntry>> CommitAsync(List<PreparedEvent> events, CancellationToken cancellationToken)
    {
        var attempts = new List<Attempt>();
        var storageFailures = 0;
        for (var attempt = 1; ; attempt++)
        {
            var head = await ReadHeadRowAsync(cancellationToken);
            if (await FindLandedAsync(attempts, head, cancellationToken) is { } landed)
            {
                return landed.Entries;
            }

            var current = new Attempt(Guid.NewGuid().ToString("N"), Build(head, events));
            attempts.Add(current);
            var actions = current.Entries
                .Select((entry, i) => new TableTransactionAction(
                    TableTransactionActionType.Add, AuditTableLayout.ToEntity(entry, events[i].DetailsJson, current.Id)))
                .ToList();
            var newHead = AuditTableLayout.ToHeadEntity(current.Entries[^1], current.Id);
            actions.Add(head is null
                ? new TableTransactionAction(TableTransactionActionType.Add, newHead)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, newHead, head.ETag));

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                return current.Entries;
            }
            catch (RequestFailedException e) when (IsRetryable(e))
            {
                var conflict = e.Status is 409 or 412;
                storageFailures += conflict ? 0 : 1;
                if (attempt >= MaxCommitAttempts || storageFailures >= MaxStorageFailures)
                {
                    if (await FindLandedAsync(attempts, await ReadHeadRowAsync(cancellationToken), cancellationToken) is { } late)
                    {
                        return late.Entries;
                    }

                    throw new InvalidOperationException(conflict
                        ? $"Audit append gave up after {attempt} attempts against competing writers; nothing was recorded."
                        : $"Audit append gave up after {storageFailures} storage failures; nothing was recorded.", e);
                }
            }

            // Jitter so hosts that collided do not collide again in lockstep; wall-clock, not the injected
            // TimeProvider, because this paces real I/O rather than stamping entries.
            var ceiling = Math.Min(400, 5 << Math.Min(attempt, 6));
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling)), cancellationToken);
        }
    }

    // 409: an entry row or the head was added by another writer first. 412: the head moved. 408/5xx/0: the
    // outcome is unknown, which the next attempt resolves through FindLandedAsync before writing again.
    private static bool IsRetryable(RequestFailedException e) => e.Status is 409 or 412 or 408 or 0 or >= 500;

    private List<AuditEntry> Build(AuditHead? head, List<PreparedEvent> events)
    {
        var sequence = head?.Sequence ?? 0;
        var previousHash = head?.Hash ?? AuditHash.Genesis;

        // Never earlier than the entry before: hosts' clocks differ slightly, and a non-decreasing Time keeps a
        // time window a contiguous run of the chain.
        var now = AuditHash.NormalizeTime(time.GetUtcNow());
        if (head is not null && now < head.Time)
        {
            now = head.Time;
        }

        var entries = new List<AuditEntry>(events.Count);
        foreach (var prepared in events)
        {
            sequence++;
            var e = prepared.Event;
            var hash = AuditHash.Compute(sequence, now, e.Actor, e.Action, e.Target, prepared.Details, previousHash);
            entries.Add(new AuditEntry(sequence, now, e.Actor, e.Action, e.Target, prepared.Details, previousHash, hash));
            previousHash = hash;
        }

        return entries;
    }

    private async Task<AuditHead?> ReadHeadRowAsync(CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(
            AuditTableLayout.PartitionKey, AuditTableLayout.HeadRowKey, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return null;
        }

        return AuditTableLayout.TryToHead(response.Value!, out var head)
            ? head
            : throw new InvalidDataException("The audit head row is unreadable; run verification before appending.");
    }

    /// <summary>
    /// Whether an earlier attempt of this commit did land although it was reported as failed; each attempt tags
    /// its rows with its own id, and a transaction is all or nothing, so its first row answers for all of them.
    /// </summary>
    private async Task<Attempt?> FindLandedAsync(List<Attempt> attempts, AuditHead? head, CancellationToken cancellationToken)
    {
        if (head is null || attempts.Count == 0)
        {
            return null;
        }

        if (attempts.Find(a => a.Id == head.Commit) is { } atHead)
        {
            return atHead;
        }

        foreach (var group in attempts.Where(a => a.Entries[0].Sequence <= head.Sequence).GroupBy(a => a.Entries[0].Sequence))
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(
                AuditTableLayout.PartitionKey, AuditTableLayout.RowKey(group.Key),
                [AuditTableLayout.CommitProperty], cancellationToken);
            var commit = row.HasValue ? row.Value!.GetString(AuditTableLayout.CommitProperty) : null;
            if (group.FirstOrDefault(a => a.Id == commit) is { } landed)
            {
                return landed;
            }
        }

        return null;
    }

    private static PreparedEvent Prepare(AuditEvent auditEvent, int index)
    {
        if (auditEvent is null)
        {
            throw new ArgumentException($"Event {index} is null.");
        }

        RequireField(auditEvent.Actor, nameof(AuditEvent.Actor), index);
        RequireField(auditEvent.Action, nameof(AuditEvent.Action), index);
        RequireField(auditEvent.Target, nameof(AuditEvent.Target), index);
        var details = AuditTableLayout.CopyDetails(auditEvent.Details);
        var json = AuditTableLayout.SerializeDetails(details);
        if (json.Length > MaxDetailsJsonLength)
        {
            throw new ArgumentException($"Event {index}: details are {json.Length} characters as JSON; at most {MaxDetailsJsonLength} fit in a row.");
        }

        try
        {
            // Fails here, not in the commit loop, for strings UTF-8 cannot encode (lone surrogates).
            _ = AuditHash.Compute(1, default, auditEvent.Actor, auditEvent.Action, auditEvent.Target, details, AuditHash.Genesis);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"Event {index}: text is not valid Unicode.", e);
        }

        var bytes = 2L * (auditEvent.Actor.Length + auditEvent.Action.Length + auditEvent.Target.Length + json.Length) + EntryOverheadBytes;
        return new PreparedEvent(auditEvent, details, json, bytes);
    }

    private static void RequireField(string? value, string name, int index)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"Event {index}: {name} is required.");
        }

        if (value.Length > MaxFieldLength)
        {
            throw new ArgumentException($"Event {index}: {name} is longer than {MaxFieldLength} characters.");
        }
    }

    private static IEnumerable<List<PreparedEvent>> Chunk(List<PreparedEvent> events)
    {
        var chunk = new List<PreparedEvent>();
        long bytes = 0;
        foreach (var e in events)
        {
            if (chunk.Count > 0 && (chunk.Count == MaxEntriesPerTransaction || bytes + e.Bytes > TransactionBudgetBytes))
            {
                yield return chunk;
                chunk = [];
                bytes = 0;
            }

            chunk.Add(e);
            bytes += e.Bytes;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    private static AuditEntry ToEntryOrThrow(TableEntity row) =>
        AuditTableLayout.TryParseRowKey(row.RowKey, out var sequence)
        && AuditTableLayout.TryToEntry(row, sequence, out var entry, out _)
            ? entry
            : throw new InvalidDataException($"Audit row '{row.RowKey}' is unreadable; run verification.");

    private sealed record PreparedEvent(AuditEvent Event, IReadOnlyDictionary<string, string?> Details, string DetailsJson, long Bytes);

    private sealed record Attempt(string Id, List<AuditEntry> Entries);

    private sealed class PendingAppend(List<PreparedEvent> events, CancellationToken cancellationToken)
    {
        public List<PreparedEvent> Events { get; } = events;

        public long Bytes { get; } = events.Sum(e => e.Bytes);

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<IReadOnlyList<AuditEntry>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
