using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;

namespace MediaRetention.Core.Storage;

/// <summary>
/// Builds the storage clients from the <c>MediaStorage</c> setting, read the way the Functions blob trigger reads
/// the same connection: a connection string (Azurite, or an account key), or the identity-based section
/// (<c>MediaStorage__blobServiceUri</c>, <c>__tableServiceUri</c>, <c>__credential</c>, <c>__clientId</c>, ...) whose
/// credential <see cref="AzureComponentFactory"/> creates. So a user-assigned identity named by <c>__clientId</c>
/// reaches the app's own clients too, not only the trigger.
/// </summary>
public static class MediaStorageClients
{
    public static BlobServiceClient CreateBlobServiceClient(IConfiguration configuration, AzureComponentFactory factory)
    {
        if (ConnectionString(configuration) is { } connectionString)
        {
            return new BlobServiceClient(connectionString);
        }

        var section = Section(configuration);
        return new BlobServiceClient(ServiceUri(section, "blobServiceUri"), CreateCredential(configuration, factory));
    }

    public static TableServiceClient CreateTableServiceClient(IConfiguration configuration, AzureComponentFactory factory)
    {
        if (ConnectionString(configuration) is { } connectionString)
        {
            return new TableServiceClient(connectionString);
        }

        var section = Section(configuration);
        return new TableServiceClient(ServiceUri(section, "tableServiceUri"), CreateCredential(configuration, factory));
    }

    /// <summary>
    /// How requests for blob names the SDK rewrites authenticate (see <see cref="MediaBlobClients"/>): the connection
    /// string's key or SAS, or the identity the section describes.
    /// </summary>
    public static ExactBlobCredential CreateExactBlobCredential(IConfiguration configuration, AzureComponentFactory factory) =>
        ConnectionString(configuration) is { } connectionString
            ? StorageConnectionStrings.ExactCredential(connectionString)
            : ExactBlobCredential.FromToken(CreateCredential(configuration, factory));

    /// <summary>The credential the <c>MediaStorage</c> section describes (DefaultAzureCredential when it names none).</summary>
    public static TokenCredential CreateCredential(IConfiguration configuration, AzureComponentFactory factory) =>
        factory.CreateTokenCredential(Section(configuration));

    /// <summary>The identity-based settings (<c>MediaStorage__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__credential</c>, ...).</summary>
    public static IConfigurationSection Section(IConfiguration configuration) =>
        configuration.GetSection(MediaStorageOptions.ConnectionName);

    /// <summary>The section's <paramref name="key"/> (e.g. <c>queueServiceUri</c>) as a URI; a message naming the settings when missing.</summary>
    public static Uri ServiceUri(IConfigurationSection section, string key) =>
        section[key] is { Length: > 0 } uri ? new Uri(uri) : throw MissingSetting();

    /// <summary>The <c>MediaStorage</c> connection string, or null when identity-based settings are used.</summary>
    public static string? ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(MediaStorageOptions.ConnectionName) is { Length: > 0 } fromSection
            ? fromSection
            : configuration[MediaStorageOptions.ConnectionName] is { Length: > 0 } plain ? plain : null;

    private static InvalidOperationException MissingSetting() => new(
        $"Setting '{MediaStorageOptions.ConnectionName}' is missing: give a storage connection string, " +
        $"or '{MediaStorageOptions.ConnectionName}__blobServiceUri' and '{MediaStorageOptions.ConnectionName}__tableServiceUri' " +
        $"(with '{MediaStorageOptions.ConnectionName}__credential=managedidentity' and, for a user-assigned identity, '__clientId').");
}
