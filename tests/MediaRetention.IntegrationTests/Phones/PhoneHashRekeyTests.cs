using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace MediaRetention.IntegrationTests.Phones;

/// <summary>
/// The re-key migration on Azurite: rows written in the old formats (a bare SHA-256, a hash under a key rotated out
/// of currency) become hashes under the current key, in the media index and in holds; idempotent, resumable, audited.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PhoneHashRekeyTests(AzuriteFixture azurite)
{
    private static readonly string OldKey = "old:" + Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());

    [Fact]
    public async Task Legacy_and_old_key_rows_are_re_keyed_page_by_page_and_a_second_run_changes_nothing()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?>
        {
            ["PhoneHash:Keys:0"] = OldKey,
            ["PhoneHash:Keys:1"] = TestKeys.PhoneHashKey,
        });
        var current = new PhoneHasher(PhoneHashKeyRing.Parse([OldKey, TestKeys.PhoneHashKey], "test"));
        var oldOnly = new PhoneHasher(PhoneHashKeyRing.Parse([OldKey], "test"));
        var options = Options.Create(storage);
        var index = new TableMediaIndex(azurite.TableService, options);
        var holds = new TableHoldStore(azurite.TableService, options);
        await azurite.TableService.CreateTableIfNotExistsAsync(storage.MediaTable);
        await azurite.TableService.CreateTableIfNotExistsAsync(storage.HoldsTable);

        // Written in the old formats: three calls with the legacy bare SHA-256, two under the old key, one current.
        var t = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        var written = new List<MediaRecord>();
        for (var i = 0; i < 6; i++)
        {
            var hash = i < 3 ? PhoneNumber.Hash("+4791234567") : i < 5 ? oldOnly.Hash("+4791234567") : current.Hash("+4791234567");
            var record = Call($"pbx-1/20261120T10000{i}Z_c{i}.wav", t.AddSeconds(i)) with { CallerHash = hash, CalleeHash = i == 0 ? PhoneNumber.Hash("+4722334455") : null };
            Assert.True(await index.TrySaveAsync(record, null, default));
            written.Add(record);
        }

        var legacyHold = Hold("legacy", PhoneNumber.Hash("+4791234567")!, t);
        var oldHold = Hold("old", oldOnly.Hash("+4722334455"), t);
        await holds.CreateAsync(legacyHold, default);
        await holds.CreateAsync(oldHold, default);

        // Run page by page (two call records a run) until done.
        using var admin = runner.ClientFor(TestKeys.Admin);
        var runs = new List<JsonNode>();
        string? token = null;
        do
        {
            using var response = await admin.PostAsJsonAsync("/api/maintenance/phone-hashes/rekey", new { continuationToken = token, maxRows = 2 });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var run = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            runs.Add(run);
            token = run["continuationToken"]?.GetValue<string>();
        }
        while (token is not null && runs.Count < 10);

        Assert.InRange(runs.Count, 3, 4);
        Assert.Equal(2, runs.Sum(r => r["holdsRekeyed"]!.GetValue<int>()));
        Assert.Equal(6, runs.Sum(r => r["mediaScanned"]!.GetValue<int>()));
        Assert.Equal(5, runs.Sum(r => r["mediaRekeyed"]!.GetValue<int>()));
        Assert.Equal("test", runs[0]["currentKeyId"]!.GetValue<string>());

        // Every stored hash is now the current key's, as stored: no old form left in any row (lookup rows included).
        var rows = azurite.TableService.GetTableClient(storage.MediaTable).Query<TableEntity>().ToList();
        Assert.All(rows.Where(r => r.GetString("CallerHash") is not null), r => Assert.Equal(current.Hash("+4791234567"), r.GetString("CallerHash")));
        Assert.Equal(current.Hash("+4722334455"), rows.First(r => r.GetString("Id") == written[0].Id).GetString("CalleeHash"));
        var rekeyedHolds = (await holds.ListAsync(null, null, null, 100, default)).Items.ToDictionary(h => h.CaseNumber);
        Assert.Equal(current.Hash("+4791234567"), rekeyedHolds["legacy"].Scope.PhoneHash);
        Assert.Equal(current.Hash("+4722334455"), rekeyedHolds["old"].Scope.PhoneHash);
        // ...so they match by plain equality, without knowing any key.
        Assert.True(new ActiveHolds([rekeyedHolds["legacy"]]).IsHeld((await index.GetAsync(written[0].Id, default))!.Record));

        // Idempotent: a second run finds nothing to do.
        using var again = await admin.PostAsJsonAsync("/api/maintenance/phone-hashes/rekey", new { });
        var second = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;
        Assert.Equal((0, 0, 6), (second["holdsRekeyed"]!.GetValue<int>(), second["mediaRekeyed"]!.GetValue<int>(), second["mediaScanned"]!.GetValue<int>()));

        // Audited: each run, each re-keyed hold (no number, no hash in the entries).
        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!.Items;
        Assert.Equal(runs.Count + 1, audit.Count(e => e.Action == AuditActions.PhoneHashesRekeyed));
        Assert.Equal(["legacy-sha256", "old"], audit.Where(e => e.Action == AuditActions.HoldRekeyed).Select(e => e.Details["fromKeyId"]).Order());
        Assert.DoesNotContain(audit, e => JsonSerializer.Serialize(e.Details).Contains(current.Hash("+4791234567")[5..], StringComparison.Ordinal));

        // A token of another listing is refused.
        using var forged = await admin.PostAsJsonAsync("/api/maintenance/phone-hashes/rekey", new { continuationToken = "bm90LWEtdG9rZW4" });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    private static MediaRecord Call(string name, DateTimeOffset at) => new()
    {
        Id = MediaId.For("calls", name),
        Kind = MediaKind.Call,
        Container = "calls",
        BlobName = name,
        Status = MediaStatus.Indexed,
        System = "pbx-1",
        CallId = name[(name.IndexOf('_', StringComparison.Ordinal) + 1)..^4],
        RecordedAt = at,
        UploadedAt = at,
        IndexedAt = at,
        Size = 1,
        Sha256 = new string('0', 64),
        ETag = "\"e\"",
        CallerMasked = "+********67",
    };

    private static Hold Hold(string caseNumber, string phoneHash, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7().ToString("N"),
        CaseNumber = caseNumber,
        Reason = "r",
        RequestedBy = new RequestedBy("oslo-pd", "o"),
        Agency = "oslo-pd",
        PlacedBy = "guard-1",
        PlacedAt = at,
        Status = HoldStatus.Active,
        Scope = new HoldScope { Type = HoldScope.PhoneType, PhoneHash = phoneHash, PhoneMasked = "+********67", From = at.AddHours(-1), To = at.AddHours(1) },
    };
}
