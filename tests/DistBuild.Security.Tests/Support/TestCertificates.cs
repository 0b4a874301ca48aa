using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DistBuild.Testing;

namespace DistBuild.Security.Tests.Support;

/// <summary>
/// A private CA and a server certificate it signed for 127.0.0.1 and localhost, written as PEM files the hosts
/// (Kestrel:Certificates:Default) and the clients (DISTBUILD_CA_CERT, --ca-cert) read; plus an unrelated CA.
/// </summary>
public sealed class TestCertificates
{
    private TestCertificates(string directory)
    {
        CaPath = Path.Combine(directory, "ca.pem");
        OtherCaPath = Path.Combine(directory, "other-ca.pem");
        ServerCertificatePath = Path.Combine(directory, "server.pem");
        ServerKeyPath = Path.Combine(directory, "server.key");
    }

    public string CaPath { get; }
    public string OtherCaPath { get; }
    public string ServerCertificatePath { get; }
    public string ServerKeyPath { get; }

    /// <summary>The environment that makes a host serve https with the server certificate.</summary>
    public Dictionary<string, string> KestrelEnvironment => new()
    {
        ["Kestrel__Certificates__Default__Path"] = ServerCertificatePath,
        ["Kestrel__Certificates__Default__KeyPath"] = ServerKeyPath,
    };

    public static TestCertificates Create()
    {
        var certificates = new TestCertificates(TemporaryDirectory.Create("certificates"));
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("CN=DistBuild Test CA", caKey, now);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = CreateCa("CN=Unrelated Test CA", otherKey, now);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var server = request.Create(ca, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(certificates.CaPath, ca.ExportCertificatePem());
        File.WriteAllText(certificates.OtherCaPath, other.ExportCertificatePem());
        File.WriteAllText(certificates.ServerCertificatePath, server.ExportCertificatePem());
        File.WriteAllText(certificates.ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem());
        return certificates;
    }

    private static X509Certificate2 CreateCa(string subject, ECDsa key, DateTimeOffset now)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }
}
