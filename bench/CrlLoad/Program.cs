using System.Diagnostics;
using System.Globalization;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity;
using MtlsGateway.Pki;

// crl-load generate DIR [ENTRIES]: a CA (ca.pem) and its CRL of ENTRIES 20-byte serials with reasonCode (big.crl, big.pem).
// crl-load load DIR FILE: in a fresh process, reads FILE and parses and binds it as TrustStoreLoader does, then looks
// serials up; prints one line of JSON. Separate processes, so that generating does not count towards loading.
var invariant = CultureInfo.InvariantCulture;
switch (args)
{
    case ["generate", var dir, .. var rest]:
        Generate(dir, rest.Length > 0 ? int.Parse(rest[0], invariant) : 1_000_000);
        return 0;
    case ["load", var dir, var file]:
        Load(dir, file);
        return 0;
    default:
        Console.Error.WriteLine("usage: crl-load generate DIR [ENTRIES] | crl-load load DIR FILE");
        return 2;
}

static void Generate(string dir, int entries)
{
    Directory.CreateDirectory(dir);
    var now = DateTimeOffset.UtcNow;
    using var ca = CertificateAuthority.CreateSelfSigned(new CertificateSpec
    {
        Subject = "CN=Bench CA",
        NotBefore = now.AddDays(-1),
        NotAfter = now.AddYears(1),
        IsCertificateAuthority = true,
        ExtendedKeyUsages = null,
    });
    // Written by hand: CertificateRevocationListBuilder and AsnWriter both take many minutes for a million entries
    // (AsnWriter grows its buffer 1 KiB at a time). Each entry is 53 bytes: serial, UTCTime, reasonCode keyCompromise.
    var revoked = new MemoryStream(entries * 53);
    var serial = new byte[20];
    var random = new Random(5280); // reproducible serials; the first one is looked up by `load`
    var time = System.Text.Encoding.ASCII.GetBytes(now.AddHours(-2).UtcDateTime.ToString("yyMMddHHmmss'Z'", CultureInfo.InvariantCulture));
    for (var i = 0; i < entries; i++)
    {
        random.NextBytes(serial);
        serial[0] = (byte)(serial[0] & 0x7F | 0x01); // positive, no leading zero: 20 content bytes as openssl writes them
        revoked.Write([0x30, 51, 0x02, 20]);
        revoked.Write(serial);
        revoked.Write([0x17, 13]);
        revoked.Write(time);
        revoked.Write([0x30, 0x0C, 0x30, 0x0A, 0x06, 0x03, 0x55, 0x1D, 0x15, 0x04, 0x03, 0x0A, 0x01, 0x01]);
    }

    var header = new AsnWriter(AsnEncodingRules.DER);
    header.WriteInteger(1);
    using (header.PushSequence())
    {
        header.WriteObjectIdentifier("1.2.840.10045.4.3.2");
    }

    header.WriteEncodedValue(ca.Certificate.SubjectName.RawData);
    header.WriteUtcTime(now.AddHours(-1));
    header.WriteUtcTime(now.AddDays(7));
    var body = header.Encode().Concat(Tlv(0x30, revoked.ToArray())).ToArray();
    var toBeSigned = Tlv(0x30, body);
    var algorithm = new AsnWriter(AsnEncodingRules.DER);
    using (algorithm.PushSequence())
    {
        algorithm.WriteObjectIdentifier("1.2.840.10045.4.3.2");
    }

    var signature = new AsnWriter(AsnEncodingRules.DER);
    signature.WriteBitString(((ECDsa)ca.Key).SignData(toBeSigned, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    var der = Tlv(0x30, [.. toBeSigned, .. algorithm.Encode(), .. signature.Encode()]);

    File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.CertificatePem);
    File.WriteAllBytes(Path.Combine(dir, "big.crl"), der);
    File.WriteAllText(Path.Combine(dir, "big.pem"), CertificateAuthority.CrlToPem(der));
    Console.WriteLine($"{entries} entries, {der.Length} bytes DER");
}

static byte[] Tlv(byte tag, byte[] content)
{
    var length = content.Length;
    byte[] encodedLength = length < 0x80 ? [(byte)length] : [0x84, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];
    return [tag, .. encodedLength, .. content];
}

static void Load(string dir, string file)
{
    var cas = new X509Certificate2Collection();
    cas.ImportFromPemFile(Path.Combine(dir, "ca.pem"));
    var ca = cas[0];
    GC.Collect();
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();

    var bytes = File.ReadAllBytes(Path.Combine(dir, file));
    var crl = RevocationList.Parse(bytes);
    var status = crl.CheckSignature(ca);
    var bound = crl.BoundTo(ca);

    var loadMs = clock.Elapsed.TotalMilliseconds;
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    bytes = null; // the file's bytes are the loader's, gone once it returns
    var retained = GC.GetTotalMemory(forceFullCollection: true) - before;

    // O(1): the same cost per lookup whatever the CRL's size; listed and unlisted serials alike.
    var random = new Random(5280);
    var listed = new byte[20];
    random.NextBytes(listed);
    listed[0] = (byte)(listed[0] & 0x7F | 0x01);
    var unlisted = (byte[])listed.Clone();
    unlisted[^1] ^= 0xFF;
    const int Lookups = 1_000_000;
    var found = 0;
    clock.Restart();
    for (var i = 0; i < Lookups; i++)
    {
        found += bound.TryGetEntry(i % 2 == 0 ? listed : unlisted, out _) ? 1 : 0;
    }

    var lookupNs = clock.Elapsed.TotalMilliseconds * 1_000_000 / Lookups;
    using var process = Process.GetCurrentProcess();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $$"""{"file":"{{file}}","entries":{{bound.Count}},"signature":"{{status}}","load_ms":{{loadMs:F0}},"retained_mb":{{retained / 1048576.0:F1}},"allocated_mb":{{allocated / 1048576.0:F1}},"peak_working_set_mb":{{process.PeakWorkingSet64 / 1048576.0:F1}},"lookup_ns":{{lookupNs:F0}},"found":{{found}}}"""));
    GC.KeepAlive(bound);
}
