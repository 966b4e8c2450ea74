using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Phones;

/// <summary>
/// Section <c>PhoneHash</c>: where the keys of the phone-number hashes come from (see <see cref="PhoneHasher"/>). One of
/// <see cref="KeyFile"/> (the runner: scripts/run.sh makes one in the data directory), <see cref="Keys"/> (inline, for
/// tests) or <see cref="KeyVaultUri"/> (Azure: a Key Vault secret read with the app's identity). Each holds the ring as
/// text, one key per line, oldest first: <c>{keyId}:{base64 of at least 32 bytes}</c>; the last line is the current key.
/// Neither is allowed only in Development, where a fixed, publicly known development key is used.
/// </summary>
public sealed class PhoneHashOptions
{
    public const string SectionName = "PhoneHash";
    public const string DefaultSecretName = "phone-hash-keys";

    public string? KeyFile { get; set; }

    /// <summary>Ring entries, oldest first (<c>PhoneHash:Keys:0</c>, <c>:1</c>…).</summary>
    public List<string> Keys { get; set; } = [];

    public Uri? KeyVaultUri { get; set; }

    [RegularExpression("^[0-9a-zA-Z-]{1,127}$")]
    public string SecretName { get; set; } = DefaultSecretName;

    /// <summary>How long a ring read from Key Vault is used before the vault is asked again (a rotation shows up within this).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Reads the ring text: one <c>{keyId}:{base64}</c> per line, blank lines and <c>#</c> comments ignored.</summary>
public static class PhoneHashKeyRing
{
    public const int MinimumSecretBytes = 32;

    public static IReadOnlyList<PhoneHashKey> Parse(IEnumerable<string> lines, string source)
    {
        var keys = new List<PhoneHashKey>();
        var n = 0;
        foreach (var raw in lines)
        {
            n++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var id = colon < 0 ? "" : line[..colon];
            if (!PhoneHasher.IsKeyId(id))
            {
                throw new FormatException($"{source} line {n}: expected '{{keyId}}:{{base64 secret}}' with a key id of 1-16 characters of A-Z, a-z, 0-9, '_' or '-'.");
            }

            byte[] secret;
            try
            {
                secret = Convert.FromBase64String(line[(colon + 1)..]);
            }
            catch (FormatException)
            {
                throw new FormatException($"{source} line {n} (key '{id}'): the secret is not base64.");
            }

            if (secret.Length < MinimumSecretBytes)
            {
                throw new FormatException($"{source} line {n} (key '{id}'): the secret has {secret.Length} bytes; at least {MinimumSecretBytes} are needed.");
            }

            if (keys.Any(k => k.Id == id))
            {
                throw new FormatException($"{source} line {n}: key id '{id}' appears twice.");
            }

            keys.Add(new PhoneHashKey(id, secret));
        }

        return keys.Count > 0 ? keys : throw new FormatException($"{source} holds no key.");
    }

    /// <summary>The Development key: public, so hashes made with it protect nothing. Never outside Development.</summary>
    public static IReadOnlyList<PhoneHashKey> Development { get; } =
        [new PhoneHashKey("dev", System.Security.Cryptography.SHA256.HashData("MediaRetention development phone hash key, not secret"u8.ToArray()))];
}

/// <summary>Fails start-up on a ring that cannot be read, two sources, or none outside Development.</summary>
public sealed class PhoneHashOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<PhoneHashOptions>
{
    public ValidateOptionsResult Validate(string? name, PhoneHashOptions options)
    {
        var prefix = PhoneHashOptions.SectionName;
        var sources = new[] { !string.IsNullOrWhiteSpace(options.KeyFile), options.Keys.Count > 0, options.KeyVaultUri is not null }.Count(s => s);
        if (sources > 1)
        {
            return ValidateOptionsResult.Fail($"Set one of {prefix}:KeyFile, {prefix}:Keys or {prefix}:KeyVaultUri, not several.");
        }

        if (options.KeyVaultUri is { } vault && (!vault.IsAbsoluteUri || vault.Scheme != Uri.UriSchemeHttps))
        {
            return ValidateOptionsResult.Fail($"{prefix}:KeyVaultUri must be an absolute https URI such as https://my-vault.vault.azure.net/.");
        }

        try
        {
            if (!string.IsNullOrWhiteSpace(options.KeyFile))
            {
                PhoneHashKeyRing.Parse(File.ReadAllLines(options.KeyFile), $"{prefix}:KeyFile ({options.KeyFile})");
            }
            else if (options.Keys.Count > 0)
            {
                PhoneHashKeyRing.Parse(options.Keys, $"{prefix}:Keys");
            }
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }

        return sources == 0 && environment is not null && !environment.IsDevelopment()
            ? ValidateOptionsResult.Fail(
                $"No phone hash key is configured ({prefix}:KeyFile or {prefix}:KeyVaultUri): outside Development phone numbers must be hashed with a secret key.")
            : ValidateOptionsResult.Success;
    }
}
