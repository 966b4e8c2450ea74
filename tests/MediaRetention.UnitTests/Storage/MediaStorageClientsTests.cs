using Azure.Core;
using Azure.Identity;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace MediaRetention.UnitTests.Storage;

public sealed class MediaStorageClientsTests
{
    private const string ClientId = "7f3e2d1c-0000-4000-8000-00000000abcd";

    private static IConfiguration IdentitySettings(string? clientId = ClientId) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["MediaStorage:blobServiceUri"] = "https://stmedia.blob.core.windows.net/",
        ["MediaStorage:tableServiceUri"] = "https://stmedia.table.core.windows.net/",
        ["MediaStorage:credential"] = "managedidentity",
        ["MediaStorage:clientId"] = clientId,
    }).Build();

    [Fact]
    public void The_MediaStorage_section_with_its_clientId_reaches_the_credential_factory_for_both_clients()
    {
        var factory = Substitute.For<AzureComponentFactory>();
        factory.CreateTokenCredential(Arg.Any<IConfiguration>()).Returns(Substitute.For<TokenCredential>());
        var settings = IdentitySettings();

        var blobs = MediaStorageClients.CreateBlobServiceClient(settings, factory);
        var tables = MediaStorageClients.CreateTableServiceClient(settings, factory);

        factory.Received(2).CreateTokenCredential(Arg.Is<IConfiguration>(s =>
            s["clientId"] == ClientId && s["credential"] == "managedidentity"));
        Assert.Equal("stmedia", blobs.AccountName);
        Assert.Equal(new Uri("https://stmedia.table.core.windows.net/"), tables.Uri);
    }

    [Fact]
    public void Microsofts_factory_makes_a_managed_identity_credential_from_those_settings()
    {
        var collection = new ServiceCollection();
        collection.AddAzureClientsCore();
        using var services = collection.BuildServiceProvider();

        var credential = MediaStorageClients.CreateCredential(IdentitySettings(), services.GetRequiredService<AzureComponentFactory>());

        Assert.IsType<ManagedIdentityCredential>(credential);
    }

    [Fact]
    public void A_connection_string_needs_no_credential()
    {
        var factory = Substitute.For<AzureComponentFactory>();
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MediaStorage"] = "UseDevelopmentStorage=true" }).Build();

        var blobs = MediaStorageClients.CreateBlobServiceClient(settings, factory);

        Assert.Equal("devstoreaccount1", blobs.AccountName);
        factory.DidNotReceiveWithAnyArgs().CreateTokenCredential(default!);
    }

    [Fact]
    public void Missing_settings_name_what_to_set()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            MediaStorageClients.CreateBlobServiceClient(new ConfigurationBuilder().Build(), Substitute.For<AzureComponentFactory>()));

        Assert.Contains("MediaStorage__blobServiceUri", e.Message, StringComparison.Ordinal);
    }
}
