using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MediaRetention.Core.Evidence.Signing;

/// <summary>Reads P-256 keys from PEM files; on failure <c>problem</c> says what is wrong.</summary>
public static class PemKeys
{
    public static bool TryLoadPrivate(string path, [NotNullWhen(true)] out SigningKey? key, [NotNullWhen(false)] out string? problem)
    {
        key = null;
        problem = ReadProblem(path, out var text);
        if (problem is not null)
        {
            return false;
        }

        if (!text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            problem = $"'{path}' holds no PEM private key.";
            return false;
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(text);
            key = new SigningKey(ecdsa, SigningPublicKey.From(ecdsa));
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            problem = $"'{path}' is not an ECDSA P-256 private key ({e.Message})";
            return false;
        }
    }

    public static bool TryLoadPublic(string path, [NotNullWhen(true)] out SigningPublicKey? key, [NotNullWhen(false)] out string? problem)
    {
        key = null;
        problem = ReadProblem(path, out var text);
        if (problem is not null)
        {
            return false;
        }

        try
        {
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                using var certificate = X509Certificate2.CreateFromPem(text);
                using var fromCertificate = certificate.GetECDsaPublicKey()
                    ?? throw new ArgumentException("the certificate's key is not ECDSA");
                key = SigningPublicKey.From(fromCertificate, certificate.RawData,
                    certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
                return true;
            }

            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(text);
            key = SigningPublicKey.From(ecdsa);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            problem = $"'{path}' is not an ECDSA P-256 public key or certificate ({e.Message})";
            return false;
        }
    }

    private static string? ReadProblem(string path, out string text)
    {
        text = "";
        try
        {
            text = File.ReadAllText(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"cannot read '{path}' ({e.Message})";
        }
    }
}
