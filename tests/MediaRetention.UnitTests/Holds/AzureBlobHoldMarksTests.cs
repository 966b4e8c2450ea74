using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.UnitTests.Holds;

/// <summary>The legal-hold flag needs version-level immutability, which Azurite lacks (501): tested at the SDK seam.</summary>
public sealed class AzureBlobHoldMarksTests
{
    private readonly BlobServiceClient service = Substitute.For<BlobServiceClient>();
    private readonly BlobClient blob = Substitute.For<BlobClient>();

    public AzureBlobHoldMarksTests()
    {
        var container = Substitute.For<BlobContainerClient>();
        service.GetBlobContainerClient("cctv").Returns(container);
        container.GetBlobClient("a.mp4").Returns(blob);
        blob.Name.Returns("a.mp4");
        blob.BlobContainerName.Returns("cctv");
    }

    [Fact]
    public async Task With_the_setting_on_marking_held_also_sets_the_legal_hold_flag()
    {
        var marks = new AzureBlobHoldMarks(new MediaBlobClients(service, ExactBlobCredential.None, TimeProvider.System), Options.Create(new HoldOptions { UseImmutabilityLegalHold = true }));

        Assert.True(await marks.MarkHeldAsync("cctv", "a.mp4", default));

        await blob.Received(1).SetTagsAsync(Arg.Is<IDictionary<string, string>>(t => t["mrhold"] == "yes" && t.Count == 1),
            Arg.Any<BlobRequestConditions>(), Arg.Any<CancellationToken>());
        await blob.Received(1).SetLegalHoldAsync(true, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task With_the_setting_on_marking_not_held_clears_the_flag_and_pins_the_version()
    {
        var marks = new AzureBlobHoldMarks(new MediaBlobClients(service, ExactBlobCredential.None, TimeProvider.System), Options.Create(new HoldOptions { UseImmutabilityLegalHold = true }));

        await marks.MarkNotHeldAsync("cctv", "a.mp4", "\"0x8DC\"", default);

        await blob.Received(1).SetTagsAsync(Arg.Is<IDictionary<string, string>>(t => t["mrhold"] == "no" && t["mrver"] == "0x8DC"),
            Arg.Any<BlobRequestConditions>(), Arg.Any<CancellationToken>());
        await blob.Received(1).SetLegalHoldAsync(false, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task With_the_setting_off_the_flag_is_never_touched()
    {
        var marks = new AzureBlobHoldMarks(new MediaBlobClients(service, ExactBlobCredential.None, TimeProvider.System), Options.Create(new HoldOptions()));

        await marks.MarkHeldAsync("cctv", "a.mp4", default);

        await blob.DidNotReceiveWithAnyArgs().SetLegalHoldAsync(default, default);
    }

    [Fact]
    public async Task A_blob_that_is_gone_cannot_be_marked()
    {
        blob.SetTagsAsync(default!, default, default).ThrowsAsyncForAnyArgs(new RequestFailedException(404, "BlobNotFound"));
        var marks = new AzureBlobHoldMarks(new MediaBlobClients(service, ExactBlobCredential.None, TimeProvider.System), Options.Create(new HoldOptions { UseImmutabilityLegalHold = true }));

        Assert.False(await marks.MarkHeldAsync("cctv", "a.mp4", default));
        await blob.DidNotReceiveWithAnyArgs().SetLegalHoldAsync(default, default);
    }

    [Fact]
    public void Delete_condition_requires_not_held_at_the_indexed_version()
    {
        Assert.Equal("\"mrhold\" = 'no' AND \"mrver\" = '0x8DC1'", IBlobHoldMarks.DeleteCondition("\"0x8DC1\""));
    }
}
