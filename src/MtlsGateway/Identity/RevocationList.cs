using System.Buffers;
using System.Buffers.Text;
using System.Formats.Asn1;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MtlsGateway.Identity;

/// <summary>
/// A parsed X.509 CRL (RFC 5280 §5). .NET has no public CRL type (see NOTES Q6): the builder's loader hides
/// the entries and checks no signature, so the gateway reads the DER itself and verifies the signature
/// against the issuing CA before a list is trusted (<see cref="BoundTo"/>).
/// </summary>
/// <remarks>
/// <para>Refused at parse (RFC 5280 §5.2, §5.3): an unrecognised critical CRL or entry extension, a delta CRL, an
/// indirect CRL (IDP indirectCRL, or an entry's Certificate Issuer), a CRL partitioned by reason (IDP
/// onlySomeReasons), one for attribute certificates only, and a malformed or repeated known extension.</para>
/// <para>An entry with reasonCode removeFromCRL is not a revocation: RFC 5280 §5.3.1 gives that reason to delta CRLs
/// only, and OpenSSL treats it in a complete CRL as "not revoked", so the gateway does too. certificateHold is a
/// revocation for as long as the entry is listed. A CRL without nextUpdate is accepted and never stale, as OpenSSL
/// accepts it; one whose thisUpdate is ahead of the clock (beyond ClockSkew) proves nothing yet.</para>
/// <para>Entries are indexed by where they lie in the DER (<see cref="CrlEntryIndex"/>), so a million-entry CRL loads
/// in a few hundred milliseconds and a lookup is O(1) (docs/performance.md).</para>
/// </remarks>
public sealed class RevocationList
{
    private const string AuthorityKeyIdentifierOid = "2.5.29.35";
    private const string IssuerAltNameOid = "2.5.29.18";
    private const string CrlNumberOid = "2.5.29.20";
    private const string DeltaCrlIndicatorOid = "2.5.29.27";
    private const string FreshestCrlOid = "2.5.29.46";
    private const string AuthorityInfoAccessOid = "1.3.6.1.5.5.7.1.1";
    private const string ReasonCodeOid = "2.5.29.21";
    private const string CertificateIssuerOid = "2.5.29.29";

    private const byte OctetStringTag = 0x04;
    private const byte OidTag = 0x06;
    private const byte BooleanTag = 0x01;
    private const byte UtcTimeTag = 0x17;
    private const byte GeneralizedTimeTag = 0x18;
    private const int SmallestEntry = 16; // 30 len, a 1-byte serial, a UTCTime: sizes the index before it is filled

    private readonly ReadOnlyMemory<byte> _tbs;
    private readonly byte[] _signature;
    private readonly ReadOnlyMemory<byte>? _signatureParameters;
    private readonly CrlEntryIndex _entries;

    private RevocationList(
        byte[] raw,
        ReadOnlyMemory<byte> tbs,
        string signatureAlgorithm,
        ReadOnlyMemory<byte>? signatureParameters,
        byte[] signature,
        X500DistinguishedName issuer,
        DateTimeOffset thisUpdate,
        DateTimeOffset? nextUpdate,
        BigInteger? crlNumber,
        CrlScope scope,
        CrlEntryIndex entries)
    {
        RawData = raw;
        _tbs = tbs;
        SignatureAlgorithm = signatureAlgorithm;
        _signatureParameters = signatureParameters;
        _signature = signature;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        CrlNumber = crlNumber;
        Scope = scope;
        _entries = entries;
    }

    private RevocationList(RevocationList list, X509Certificate2 signer)
        : this(list.RawData, list._tbs, list.SignatureAlgorithm, list._signatureParameters, list._signature, list.Issuer,
            list.ThisUpdate, list.NextUpdate, list.CrlNumber, list.Scope, list._entries)
    {
        Signer = signer;
        SignerKeySha256 = Fingerprints.PublicKeySha256(signer);
    }

    /// <summary>The DER of the whole CRL.</summary>
    public byte[] RawData { get; }

    public string SignatureAlgorithm { get; }

    public X500DistinguishedName Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    /// <summary>Null when the CRL has none (RFC 5280 requires it; OpenSSL accepts its absence): never stale.</summary>
    public DateTimeOffset? NextUpdate { get; }

    /// <summary>The cRLNumber extension, if present.</summary>
    public BigInteger? CrlNumber { get; }

    /// <summary>How many certificates the list revokes (entries with reason removeFromCRL do not count).</summary>
    public int Count => _entries.Count;

    /// <summary>Revoked serials, normalized (<see cref="Fingerprints.Serial(ReadOnlySpan{byte})"/>); built on each call.</summary>
    public IReadOnlyCollection<string> RevokedSerials => [.. _entries.Serials().Select(s => Fingerprints.Serial(s.Span))];

    /// <summary>The CA whose key verified this list; null until <see cref="BoundTo"/>.</summary>
    public X509Certificate2? Signer { get; }

    internal string? SignerKeySha256 { get; }

    /// <summary>The Issuing Distribution Point's scope (<see cref="CrlScope.Complete"/> without one).</summary>
    internal CrlScope Scope { get; }

    /// <summary>Past nextUpdate: the issuer promised a newer list by then, so this one no longer proves "not revoked".</summary>
    public bool IsStale(DateTimeOffset at) => NextUpdate is { } next && at > next;

    /// <summary>thisUpdate ahead of <paramref name="at"/> by more than <paramref name="clockSkew"/>: a list from the future proves nothing yet.</summary>
    public bool IsNotYetValid(DateTimeOffset at, TimeSpan clockSkew) => ThisUpdate > at + clockSkew;

    /// <summary>Whether <paramref name="serialHex"/> (any case, leading zeros or colons allowed) is listed.</summary>
    public bool Contains(string serialHex) => TryGetRevocationDate(serialHex, out _);

    public bool TryGetRevocationDate(string serialHex, out DateTimeOffset revokedAt)
    {
        ArgumentNullException.ThrowIfNull(serialHex);
        var found = TryGetEntry(Convert.FromHexString(Fingerprints.Serial(serialHex)), out var entry);
        revokedAt = entry.RevokedAt;
        return found;
    }

    /// <summary>The entry revoking the certificate with this big-endian serial (<see cref="X509Certificate2.SerialNumberBytes"/>), in O(1).</summary>
    public bool TryGetEntry(ReadOnlySpan<byte> serial, out CrlEntry entry)
    {
        if (!_entries.TryFind(serial, out var offset))
        {
            entry = default;
            return false;
        }

        entry = ReadEntry(RawData.AsSpan(offset), out _, out _, out _);
        return true;
    }

    /// <summary>
    /// What this list says about <paramref name="certificate"/> (issued by <paramref name="issuer"/>): null when it
    /// covers the certificate, is current and does not list it; else revoked, or unknown with the reason.
    /// </summary>
    internal RevocationOutcome? Check(X509Certificate2 certificate, X509Certificate2 issuer, bool isLeaf, DateTimeOffset at, TimeSpan clockSkew)
    {
        // Out of the IDP's scope the list says nothing either way, not even "revoked".
        if (Scope.Exclusion(certificate) is { } exclusion)
        {
            return RevocationOutcome.Unknown(VerificationHints.CrlOutOfScope(this, certificate, isLeaf, exclusion));
        }

        // A listed serial stays revoked even in a stale or early list, so look before judging freshness.
        if (TryGetEntry(certificate.SerialNumberBytes.Span, out var entry))
        {
            return RevocationOutcome.Revoked(VerificationHints.Revoked(certificate, isLeaf, issuer, entry.RevokedAt, entry.Reason));
        }

        if (IsNotYetValid(at, clockSkew))
        {
            return RevocationOutcome.Unknown(VerificationHints.CrlNotYetValid(this, at));
        }

        return IsStale(at) ? RevocationOutcome.Unknown(VerificationHints.StaleCrl(this)) : null;
    }

    /// <summary>
    /// Parses PEM ("X509 CRL") or DER: the single entry point for CRL files and fetched CRLs alike. Throws
    /// <see cref="FormatException"/> saying what is wrong; <see cref="UnsupportedCrlException"/> (a FormatException)
    /// for a well-formed CRL the gateway refuses, naming the extension's OID.
    /// </summary>
    public static RevocationList Parse(ReadOnlySpan<byte> data)
    {
        var der = Unarmor(data);
        try
        {
            return ParseDer(der);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            throw new FormatException($"not a valid DER CRL ({e.Message})", e);
        }
    }

    /// <summary>Checks that <paramref name="ca"/> issued and signed this list.</summary>
    public CrlSignatureStatus CheckSignature(X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (!ca.SubjectName.RawData.AsSpan().SequenceEqual(Issuer.RawData))
        {
            return CrlSignatureStatus.IssuerMismatch;
        }

        var verified = Verify(ca);
        if (verified is null)
        {
            return CrlSignatureStatus.UnsupportedAlgorithm;
        }

        if (!verified.Value)
        {
            return CrlSignatureStatus.BadSignature;
        }

        return CertificateFacts.AllowsKeyUsage(ca, X509KeyUsageFlags.CrlSign)
            ? CrlSignatureStatus.Valid
            : CrlSignatureStatus.NotCrlSigner;
    }

    /// <summary>The same list, recorded as verified by <paramref name="ca"/>.</summary>
    public RevocationList BoundTo(X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        return new RevocationList(this, ca);
    }

    // Spans throughout: a 64 MiB PEM is never turned into a 128 MiB string.
    private static byte[] Unarmor(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0 && data[0] == 0x30)
        {
            return data.ToArray();
        }

        if (!PemEncoding.TryFindUtf8(data, out var fields))
        {
            throw new FormatException("neither DER nor PEM");
        }

        var label = data[fields.Label];
        if (!label.SequenceEqual("X509 CRL"u8))
        {
            throw new FormatException($"PEM block is '{Encoding.ASCII.GetString(label)}', expected 'X509 CRL'");
        }

        var der = new byte[fields.DecodedDataLength];
        if (Base64.DecodeFromUtf8(data[fields.Base64Data], der, out _, out var written) != OperationStatus.Done || written != der.Length)
        {
            throw new FormatException("the PEM block's base64 does not decode");
        }

        return der;
    }

    private static RevocationList ParseDer(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certList = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        var tbs = certList.ReadEncodedValue();
        var (algorithm, parameters) = ReadAlgorithm(certList.ReadSequence());
        var signature = certList.ReadBitString(out _);
        certList.ThrowIfNotEmpty();

        var body = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        if (body.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            // v2 is encoded 1; v1 leaves the field out.
            if (!body.TryReadInt32(out var version) || version != 1)
            {
                throw new FormatException("its version is not v2 (the only version with a version field)");
            }
        }

        var (innerAlgorithm, _) = ReadAlgorithm(body.ReadSequence());
        if (innerAlgorithm != algorithm)
        {
            throw new FormatException($"signature algorithm {algorithm} differs from the one inside the list ({innerAlgorithm})");
        }

        var issuer = new X500DistinguishedName(body.ReadEncodedValue().Span);
        var thisUpdate = ReadTime(body);
        DateTimeOffset? nextUpdate = body.HasData && IsTime(body.PeekTag()) ? ReadTime(body) : null;

        ReadOnlyMemory<byte> revoked = default;
        if (body.HasData && body.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            revoked = body.ReadEncodedValue();
        }

        BigInteger? crlNumber = null;
        var scope = CrlScope.Complete;
        if (body.HasData)
        {
            var explicitTag = body.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            ReadCrlExtensions(explicitTag.ReadSequence(), ref crlNumber, ref scope);
            explicitTag.ThrowIfNotEmpty();
        }

        body.ThrowIfNotEmpty();

        // Extensions first: a refused CRL is refused before a million entries are indexed.
        var entries = new CrlEntryIndex(der, revoked.Length / SmallestEntry / 3);
        if (!revoked.IsEmpty)
        {
            ReadEntries(der, revoked, entries);
        }

        return new RevocationList(der, tbs, algorithm, parameters, signature, issuer, thisUpdate, nextUpdate, crlNumber, scope, entries);
    }

    private static void ReadCrlExtensions(AsnReader extensions, ref BigInteger? crlNumber, ref CrlScope scope)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.HasData && extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            if (!seen.Add(oid))
            {
                throw new FormatException($"CRL extension {oid} appears more than once");
            }

            try
            {
                switch (oid)
                {
                    case AuthorityKeyIdentifierOid or IssuerAltNameOid or AuthorityInfoAccessOid:
                        ReadWhole(value, static r => r.ReadSequence());
                        break;
                    case CrlNumberOid:
                        crlNumber = ReadWhole(value, static r => r.ReadInteger());
                        if (crlNumber < 0)
                        {
                            throw new AsnContentException("the number is negative");
                        }

                        break;
                    case DeltaCrlIndicatorOid:
                        throw new UnsupportedCrlException(
                            $"delta CRLs are not supported: it carries Delta CRL Indicator ({oid}); use the CA's complete (base) CRL", oid);
                    case CrlScope.Oid:
                        scope = CrlScope.Read(value);
                        break;
                    case FreshestCrlOid when critical:
                        throw new UnsupportedCrlException(
                            $"delta CRLs are not supported: it marks Freshest CRL ({oid}) critical, so it may not be used without its delta CRL; use a complete CRL whose Freshest CRL is not critical", oid);
                    case FreshestCrlOid:
                        ReadWhole(value, static r => r.ReadSequence());
                        break;
                    case var _ when critical:
                        throw new UnsupportedCrlException(
                            $"it carries critical CRL extension {oid}, which the gateway does not understand (RFC 5280 §5.2 requires refusing such a CRL); have the CA issue the CRL without it or mark it non-critical", oid);
                    default:
                        break; // an unrecognised non-critical extension may be ignored
                }
            }
            catch (AsnContentException e)
            {
                throw new FormatException($"CRL extension {oid} is malformed ({e.Message})", e);
            }
        }
    }

    private static T ReadWhole<T>(byte[] value, Func<AsnReader, T> read)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        var result = read(reader);
        reader.ThrowIfNotEmpty();
        return result;
    }

    // The hot loop of a large CRL: span reads, no allocation per entry but the index's slot.
    private static void ReadEntries(byte[] der, ReadOnlyMemory<byte> revoked, CrlEntryIndex index)
    {
        if (!MemoryMarshal.TryGetArray(revoked, out var segment))
        {
            throw new InvalidOperationException("the CRL's entries are not a slice of its DER");
        }

        AsnDecoder.ReadSequence(revoked.Span, AsnEncodingRules.DER, out var contentOffset, out var contentLength, out _);
        var position = segment.Offset + contentOffset;
        var end = position + contentLength;
        while (position < end)
        {
            var entry = ReadEntry(der.AsSpan(position, end - position), out var consumed, out var serialOffset, out var serialLength);
            if (entry.Reason != X509RevocationReason.RemoveFromCrl)
            {
                index.Add(position, position + serialOffset, serialLength);
            }

            position += consumed;
        }
    }

    /// <summary>Reads one revokedCertificates entry at the start of <paramref name="source"/>, validating its extensions.</summary>
    private static CrlEntry ReadEntry(ReadOnlySpan<byte> source, out int consumed, out int serialOffset, out int serialLength)
    {
        AsnDecoder.ReadSequence(source, AsnEncodingRules.DER, out var offset, out var length, out consumed);
        var entry = source.Slice(offset, length);
        var serial = AsnDecoder.ReadIntegerBytes(entry, AsnEncodingRules.DER, out var read);
        serialOffset = offset + read - serial.Length;
        serialLength = serial.Length;
        var rest = entry[read..];
        var revokedAt = ReadTime(rest, out read);
        rest = rest[read..];
        X509RevocationReason? reason = null;
        if (!rest.IsEmpty)
        {
            reason = ReadEntryExtensions(rest, serial);
        }

        return new CrlEntry(revokedAt, reason);
    }

    private static X509RevocationReason? ReadEntryExtensions(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> serial)
    {
        AsnDecoder.ReadSequence(encoded, AsnEncodingRules.DER, out var offset, out var length, out var consumed);
        if (consumed != encoded.Length)
        {
            throw new FormatException($"the entry for serial {Fingerprints.Serial(serial)} has data after its extensions");
        }

        X509RevocationReason? reason = null;
        var seenInvalidityDate = false;
        var extensions = encoded.Slice(offset, length);
        while (!extensions.IsEmpty)
        {
            AsnDecoder.ReadSequence(extensions, AsnEncodingRules.DER, out offset, out length, out consumed);
            var extension = extensions.Slice(offset, length);
            extensions = extensions[consumed..];

            var oid = Primitive(ref extension, OidTag);
            var critical = !extension.IsEmpty && extension[0] == BooleanTag && ReadBoolean(ref extension);
            var value = Primitive(ref extension, OctetStringTag);
            if (!extension.IsEmpty)
            {
                throw new AsnContentException("data after an entry extension's value");
            }

            // Compared as content bytes, not strings: this runs once per entry of a million-entry list.
            if (IsIdCe(oid, 21))
            {
                if (reason is not null)
                {
                    throw new FormatException($"the entry for serial {Fingerprints.Serial(serial)} repeats its reason code");
                }

                reason = ReadReason(value, serial);
            }
            else if (IsIdCe(oid, 24))
            {
                if (seenInvalidityDate)
                {
                    throw new FormatException($"the entry for serial {Fingerprints.Serial(serial)} repeats its invalidity date");
                }

                seenInvalidityDate = true;
                AsnDecoder.ReadGeneralizedTime(value, AsnEncodingRules.DER, out consumed);
                if (consumed != value.Length)
                {
                    throw new AsnContentException("data after the invalidity date");
                }
            }
            else if (IsIdCe(oid, 29))
            {
                throw new UnsupportedCrlException(
                    $"indirect CRLs are not supported: the entry for serial {Fingerprints.Serial(serial)} carries Certificate Issuer ({CertificateIssuerOid}); use the CRL issued by the certificates' own CA",
                    CertificateIssuerOid);
            }
            else if (critical)
            {
                var name = OidString(oid);
                throw new UnsupportedCrlException(
                    $"the entry for serial {Fingerprints.Serial(serial)} carries critical extension {name}, which the gateway does not understand (RFC 5280 §5.3 requires refusing such a CRL); have the CA issue the CRL without it",
                    name);
            }
        }

        return reason;
    }

    private static X509RevocationReason ReadReason(ReadOnlySpan<byte> value, ReadOnlySpan<byte> serial)
    {
        var code = AsnDecoder.ReadEnumeratedBytes(value, AsnEncodingRules.DER, out var consumed);
        if (consumed != value.Length)
        {
            throw new AsnContentException("data after the reason code");
        }

        // CRLReason (RFC 5280 §5.3.1): 0 to 10, 7 unused.
        if (code.Length != 1 || code[0] > 10 || code[0] == 7)
        {
            throw new FormatException($"the entry for serial {Fingerprints.Serial(serial)} has reason code {Convert.ToHexString(code)}, which RFC 5280 does not define ({ReasonCodeOid})");
        }

        return (X509RevocationReason)code[0];
    }

    private static ReadOnlySpan<byte> Primitive(ref ReadOnlySpan<byte> source, byte tag)
    {
        if (source.IsEmpty || source[0] != tag)
        {
            throw new AsnContentException($"expected tag 0x{tag:X2} in an entry extension");
        }

        AsnDecoder.ReadEncodedValue(source, AsnEncodingRules.DER, out var offset, out var length, out var consumed);
        var content = source.Slice(offset, length);
        source = source[consumed..];
        return content;
    }

    private static bool ReadBoolean(ref ReadOnlySpan<byte> source)
    {
        var value = AsnDecoder.ReadBoolean(source, AsnEncodingRules.DER, out var consumed);
        source = source[consumed..];
        return value;
    }

    // id-ce (2.5.29) arcs below 128 encode as 55 1D nn.
    private static bool IsIdCe(ReadOnlySpan<byte> oid, byte arc) => oid.Length == 3 && oid[0] == 0x55 && oid[1] == 0x1D && oid[2] == arc;

    private static string OidString(ReadOnlySpan<byte> content) =>
        AsnDecoder.ReadObjectIdentifier([OidTag, .. EncodeLength(content.Length), .. content], AsnEncodingRules.DER, out _);

    private static byte[] EncodeLength(int length) => length switch
    {
        < 0x80 => [(byte)length],
        < 0x100 => [0x81, (byte)length],
        _ => [0x82, (byte)(length >> 8), (byte)length],
    };

    private static (string Oid, ReadOnlyMemory<byte>? Parameters) ReadAlgorithm(AsnReader algorithm)
    {
        var oid = algorithm.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : null;
        return (oid, parameters);
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    private static DateTimeOffset ReadTime(ReadOnlySpan<byte> source, out int consumed) => source.IsEmpty
        ? throw new AsnContentException("an entry has no revocation date")
        : source[0] switch
        {
            UtcTimeTag => AsnDecoder.ReadUtcTime(source, AsnEncodingRules.DER, out consumed),
            GeneralizedTimeTag => AsnDecoder.ReadGeneralizedTime(source, AsnEncodingRules.DER, out consumed),
            _ => throw new AsnContentException("an entry's revocation date is not a UTCTime or GeneralizedTime"),
        };

    /// <summary>True or false when the signature was checked; null when the algorithm is not one we verify.</summary>
    private bool? Verify(X509Certificate2 ca) => SignedData.Verify(SignatureAlgorithm, _signatureParameters, _tbs.Span, _signature, ca);
}
