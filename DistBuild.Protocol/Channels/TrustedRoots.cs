using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DistBuild.Protocol.Channels;

/// <summary>
/// Verifies a server certificate against the certificates of one PEM file (a private CA, or a self-signed server
/// certificate) instead of the system store: the chain must end in one of them and the name must match the URL.
/// </summary>
public sealed class TrustedRoots
{
    private readonly X509Certificate2Collection _roots;

    private TrustedRoots(X509Certificate2Collection roots) => _roots = roots;

    /// <exception cref="ArgumentException">The file is missing or holds no certificate.</exception>
    public static TrustedRoots Load(string pemPath)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(pemPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"the CA certificate file '{pemPath}' cannot be read: {e.Message}", e);
        }
        if (roots.Count == 0)
            throw new ArgumentException($"the CA certificate file '{pemPath}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        return new TrustedRoots(roots);
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        // A private CA publishes no revocation list; what the operator put in the file is what is trusted.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
