using System.Globalization;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;

namespace MediaRetention.Core.Phones;

/// <param name="ContinuationToken">Where the previous run stopped in the media index; null starts over (holds included).</param>
/// <param name="MaxRows">Call records visited in this run (a run must end well within an HTTP request's 230 s).</param>
public sealed record RekeyPhoneHashesCommand(string Actor, string? ContinuationToken, int MaxRows);

/// <param name="UnknownKeys">Hashes under a key id this ring does not hold: left as they are (a newer ring elsewhere).</param>
/// <param name="ContinuationToken">Non-null: more call records to visit; run again with it.</param>
public sealed record RekeyPhoneHashesReport(
    string CurrentKeyId,
    int HoldsRekeyed,
    int MediaScanned,
    int MediaRekeyed,
    int UnknownKeys,
    string? ContinuationToken);

/// <summary>
/// The one-shot migration of stored phone hashes to the current key of the ring: legacy bare SHA-256 values (written
/// before keyed hashes) and hashes under an older key are re-keyed without the number (<see cref="PhoneHasher.Canonical"/>),
/// in the holds table (every hold, its requested scope too; each re-keyed hold audited as <c>hold.rekeyed</c>) and in
/// the media index (record and lookup rows, through the index's conditional write). Idempotent (a row in the current
/// form is skipped), resumable (a run visits at most <see cref="RekeyPhoneHashesCommand.MaxRows"/> call records and
/// returns where to go on), and every run is one <c>phone-hashes.rekeyed</c> audit entry. Matching never waits for it:
/// holds and calls compare in the current key's form meanwhile; it removes the old forms from storage.
/// </summary>
public sealed class RekeyPhoneHashesHandler(IHoldStore holds, IMediaIndex index, IPhoneHashing hashing, IAuditLog audit)
{
    public async Task<RekeyPhoneHashesReport> HandleAsync(RekeyPhoneHashesCommand command, CancellationToken cancellationToken)
    {
        var hasher = await hashing.GetAsync(cancellationToken);
        var unknown = 0;
        var holdsRekeyed = command.ContinuationToken is null ? await RekeyHoldsAsync(command.Actor, hasher, () => unknown++, cancellationToken) : 0;

        var scanned = 0;
        var rekeyed = 0;
        var token = command.ContinuationToken;
        do
        {
            var (rows, next) = await index.ListCallRecordsAsync(token, Math.Min(1000, command.MaxRows - scanned), cancellationToken);
            foreach (var stored in rows)
            {
                scanned++;
                var record = stored.Record;
                var caller = Rekey(record.CallerHash, hasher, () => unknown++);
                var callee = Rekey(record.CalleeHash, hasher, () => unknown++);
                if (caller == record.CallerHash && callee == record.CalleeHash)
                {
                    continue;
                }

                // Conditional on the row as read: a row an ingest rewrote meanwhile carries a current hash already.
                if (await index.TrySaveAsync(record with { CallerHash = caller, CalleeHash = callee }, stored, cancellationToken))
                {
                    rekeyed++;
                }
            }

            token = next;
        }
        while (token is not null && scanned < command.MaxRows);

        var report = new RekeyPhoneHashesReport(hasher.CurrentKeyId, holdsRekeyed, scanned, rekeyed, unknown, token);
        await audit.AppendAsync(new AuditEvent(command.Actor, AuditActions.PhoneHashesRekeyed, "phone-hashes/" + hasher.CurrentKeyId,
            new Dictionary<string, string?>
            {
                ["currentKeyId"] = hasher.CurrentKeyId,
                ["holdsRekeyed"] = holdsRekeyed.ToString(CultureInfo.InvariantCulture),
                ["mediaScanned"] = scanned.ToString(CultureInfo.InvariantCulture),
                ["mediaRekeyed"] = rekeyed.ToString(CultureInfo.InvariantCulture),
                ["unknownKeys"] = unknown.ToString(CultureInfo.InvariantCulture),
                ["resumed"] = command.ContinuationToken is null ? "false" : "true",
                ["complete"] = token is null ? "true" : "false",
            }), cancellationToken);
        return report;
    }

    private async Task<int> RekeyHoldsAsync(string actor, PhoneHasher hasher, Action unknownKey, CancellationToken cancellationToken)
    {
        var count = 0;
        string? token = null;
        do
        {
            var page = await holds.ListAsync(null, null, token, 1000, cancellationToken);
            foreach (var listed in page.Items.Where(h => NeedsRekey(h.Scope, hasher) || (h.RequestedScope is { } r && NeedsRekey(r, hasher))))
            {
                // Re-read and write conditionally: a review or release in between wins, and the next run re-keys it.
                var stored = await holds.GetAsync(listed.Id, cancellationToken);
                if (stored?.Hold is not { } hold)
                {
                    continue;
                }

                var from = hold.Scope.PhoneHash ?? hold.RequestedScope?.PhoneHash;
                var updated = hold with
                {
                    Scope = RekeyScope(hold.Scope, hasher, unknownKey),
                    RequestedScope = hold.RequestedScope is { } requested ? RekeyScope(requested, hasher, unknownKey) : null,
                };
                if (updated == hold || !await holds.TryUpdateAsync(updated, stored.StorageETag, cancellationToken))
                {
                    continue;
                }

                count++;
                await audit.AppendAsync(new AuditEvent(actor, AuditActions.HoldRekeyed, "hold/" + hold.Id, new Dictionary<string, string?>
                {
                    ["caseNumber"] = hold.CaseNumber,
                    ["agency"] = hold.Agency,
                    ["fromKeyId"] = KeyIdOf(from),
                    ["toKeyId"] = hasher.CurrentKeyId,
                }), cancellationToken);
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return count;
    }

    private static bool NeedsRekey(HoldScope scope, PhoneHasher hasher) =>
        scope.PhoneHash is { } hash && !hasher.IsCurrent(hash) && hasher.Canonical(hash) is not null;

    private static HoldScope RekeyScope(HoldScope scope, PhoneHasher hasher, Action unknownKey) =>
        scope.PhoneHash is null ? scope : scope with { PhoneHash = Rekey(scope.PhoneHash, hasher, unknownKey) };

    private static string? Rekey(string? stored, PhoneHasher hasher, Action unknownKey)
    {
        if (stored is null || hasher.IsCurrent(stored))
        {
            return stored;
        }

        var canonical = hasher.Canonical(stored);
        if (canonical is null)
        {
            unknownKey();
            return stored;
        }

        return canonical;
    }

    private static string KeyIdOf(string? hash) =>
        hash is null ? "" : hash.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? hash[..colon] : "legacy-sha256";
}
