using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs.Models;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Media;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>Phone numbers in E.164 end to end, and no full number left in a blob's metadata after ingest.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PhoneNumberHoldTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan IngestDeadline = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("912 34 567")]
    [InlineData("004791234567")]
    [InlineData("+47 912 34 567")]
    [InlineData("+4791234567")]
    public async Task A_phone_hold_covers_the_call_however_the_number_is_written(string written)
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var calls = azurite.BlobService.GetBlobContainerClient(storage.CallsContainer);
        await calls.CreateIfNotExistsAsync();
        await calls.GetBlobClient("pbx-1/20261120T100000Z_c1.wav").UploadAsync(new BinaryData("a"u8.ToArray()),
            new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["caller"] = "+4791234567" } });
        await runner.WaitForAsync<MediaListResponse>("/api/media?system=pbx-1", r => r.Items.Count == 1, IngestDeadline);

        using var place = await runner.Client.PostAsJsonAsync("/api/holds", PhoneHold(written));

        Assert.Equal(HttpStatusCode.Created, place.StatusCode);
        var placed = (await place.Content.ReadFromJsonAsync<PlacedHoldResponse>(JsonSerializerOptions.Web))!;
        Assert.Equal(1, placed.CoveredMedia);
        Assert.Empty(placed.Warnings);
        Assert.Equal("+********67", placed.Hold.Scope.PhoneNumber);
    }

    [Fact]
    public async Task A_phone_hold_that_covers_nothing_says_so_and_an_invalid_number_is_a_400_naming_the_field()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);

        using var nothing = await runner.Client.PostAsJsonAsync("/api/holds", PhoneHold("22 33 44 55"));
        var placed = JsonNode.Parse(await nothing.Content.ReadAsStringAsync())!;
        Assert.Equal(0, placed["coveredMedia"]!.GetValue<int>());
        Assert.Contains("covers no call", placed["warnings"]![0]!.GetValue<string>());

        foreach (var bad in new[] { "12345", "+47 123", "912 34 567 8", "+999 1234" })
        {
            using var response = await runner.Client.PostAsJsonAsync("/api/holds", PhoneHold(bad));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var detail = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>();
            Assert.Contains("'scope.phoneNumber'", detail);
        }
    }

    [Fact]
    public async Task After_ingest_no_link_returns_a_full_number_and_the_sweep_still_deletes_the_rewritten_version()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?> { ["Retention:IngestSettleTime"] = "00:00:00" });
        var calls = azurite.BlobService.GetBlobContainerClient(storage.CallsContainer);
        await calls.CreateIfNotExistsAsync();
        var recent = calls.GetBlobClient("pbx-1/20261120T100000Z_c1.wav");
        await recent.UploadAsync(new BinaryData("call"u8.ToArray()), new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["caller"] = "+4791234567", ["callee"] = "22 33 44 55", ["agent"] = "agent-7" },
        });
        var old = DateTimeOffset.UtcNow.AddDays(-40);
        var expired = calls.GetBlobClient($"pbx-1/{old:yyyyMMdd'T'HHmmss'Z'}_c0.wav");
        await expired.UploadAsync(new BinaryData("old call"u8.ToArray()), new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["caller"] = "+4791234567" } });
        var listed = await runner.WaitForAsync<MediaListResponse>("/api/media?system=pbx-1", r => r.Items.Count == 2, IngestDeadline);
        var call = listed.Items.Single(m => m.BlobName == recent.Name);

        // The blob's metadata holds the masked form; the index names the rewritten version, and so does the hold mark.
        var properties = (await recent.GetPropertiesAsync()).Value;
        Assert.Equal(("+********67", "+********55", "agent-7"), (properties.Metadata["caller"], properties.Metadata["callee"], properties.Metadata["agent"]));
        Assert.Equal(properties.ETag.ToString().Trim('"'), call.ETag.Trim('"'));
        Assert.Equal(new string(call.ETag.Where(char.IsAsciiLetterOrDigit).ToArray()), (await recent.GetTagsAsync()).Value.Tags["mrver"]);

        // A HEAD on a view link and on an evidence link: no header carries a full number.
        var link = (await runner.Client.GetFromJsonAsync<MediaLinkResponse>($"/api/media/{call.Id}/link", JsonSerializerOptions.Web))!;
        await AssertNoFullNumberAsync(link.Url);
        var holdId = (await (await runner.Client.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "C-1", reason = "r", requestedBy = new { agency = "oslo-pd", officer = "o" },
            scope = new { type = "call", callId = "c1" },
        })).Content.ReadFromJsonAsync<PlacedHoldResponse>(JsonSerializerOptions.Web))!.Hold.Id;
        var evidence = JsonNode.Parse(await runner.Client.GetStringAsync($"/api/holds/{holdId}/evidence"))!;
        await AssertNoFullNumberAsync(evidence["items"]![0]!["downloadUrl"]!.GetValue<string>());

        // The expired call was rewritten too; the sweep's delete condition names that final version, so it is deleted.
        using var admin = runner.ClientFor(TestKeys.Admin);
        var sweep = await admin.SweepAsync();
        Assert.Equal(1, sweep.Deleted);
        Assert.False((await expired.ExistsAsync()).Value);
        Assert.True((await recent.ExistsAsync()).Value);

        // Nothing re-indexes it: the scan sees the version it indexed.
        var again = (await runner.Client.GetFromJsonAsync<MediaView>($"/api/media/{call.Id}", JsonSerializerOptions.Web))!;
        Assert.Equal(call.IndexedAt, again.IndexedAt);
    }

    private static async Task AssertNoFullNumberAsync(string url)
    {
        using var http = new HttpClient();
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        var headers = string.Join("\n", head.Headers.Concat(head.Content.Headers).SelectMany(h => h.Value.Select(v => h.Key + ": " + v)));
        Assert.Contains("x-ms-meta-caller: +********67", headers, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("91234567", headers);
        Assert.DoesNotContain("22334455", headers);
        Assert.DoesNotContain("33 44", headers);
    }

    private static object PhoneHold(string number) => new
    {
        caseNumber = "OPD-2026-9",
        reason = "Threatening call",
        requestedBy = new { agency = "oslo-pd", officer = "Sgt. Berg" },
        scope = new { type = "phone", phoneNumber = number, from = "2026-11-20T00:00:00Z", to = "2026-11-21T00:00:00Z" },
    };
}
