using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ServeSharp.Storage.Sources;

/// <summary>Server-certificate validation for stores with a custom CA bundle or with verification turned off.</summary>
internal static class TlsTrust
{
    /// <summary>A validator trusting only the PEM certificates in <paramref name="caBundlePath"/>.</summary>
    public static Func<HttpRequestMessage, X509Certificate2?, X509Chain?, SslPolicyErrors, bool> CustomBundle(string caBundlePath)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caBundlePath);
        if (roots.Count == 0)
        {
            throw new StorageException(StorageErrorKind.Configuration, $"CA bundle file({caBundlePath}) holds no PEM certificate.");
        }

        return (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            return chain.Build(certificate);
        };
    }

    /// <summary>A validator accepting any certificate (<c>S3_VERIFY_SSL=0</c>).</summary>
    public static bool AcceptAny(HttpRequestMessage request, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors) => true;
}
