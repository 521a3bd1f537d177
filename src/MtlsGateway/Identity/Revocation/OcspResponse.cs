using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// A parsed OCSPResponse (RFC 6960 4.2) carrying a BasicOCSPResponse. Parsing checks structure only; whether the
/// answer may be believed (who signed it, for which certificate, how fresh) is <see cref="OcspAnswerCheck"/>'s job.
/// </summary>
internal sealed class OcspResponse : IDisposable
{
    public const string BasicOid = "1.3.6.1.5.5.7.48.1.1";
    public const string NonceOid = "1.3.6.1.5.5.7.48.1.2";

    private static readonly Asn1Tag Explicit0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Explicit1 = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag Explicit2 = new(TagClass.ContextSpecific, 2, isConstructed: true);
    private static readonly Asn1Tag Good = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag RevokedTag = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag UnknownTag = new(TagClass.ContextSpecific, 2);

    private OcspResponse(OcspResponseStatus status) => Status = status;

    public OcspResponseStatus Status { get; }

    public X500DistinguishedName? ResponderName { get; private init; }

    public byte[]? ResponderKeyHash { get; private init; }

    public DateTimeOffset ProducedAt { get; private init; }

    public IReadOnlyList<OcspSingleResponse> Responses { get; private init; } = [];

    public IReadOnlyList<X509Certificate2> Certificates { get; private init; } = [];

    /// <summary>OID of a critical response extension the gateway does not know, if any.</summary>
    public string? UnknownCriticalExtension { get; private init; }

    public string SignatureAlgorithm { get; private init; } = string.Empty;

    public ReadOnlyMemory<byte>? SignatureParameters { get; private init; }

    public ReadOnlyMemory<byte> SignedBytes { get; private init; }

    public byte[] Signature { get; private init; } = [];

    /// <summary>Parses DER; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static OcspResponse Parse(byte[] der)
    {
        ArgumentNullException.ThrowIfNull(der);
        try
        {
            return ParseDer(der);
        }
        catch (Exception e) when (e is AsnContentException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new FormatException($"not a valid DER OCSP response ({e.Message})", e);
        }
    }

    public void Dispose()
    {
        foreach (var certificate in Certificates)
        {
            certificate.Dispose();
        }
    }

    private static OcspResponse ParseDer(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var response = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var status = response.ReadEnumeratedValue<OcspResponseStatus>();
        if (status != OcspResponseStatus.Successful)
        {
            return new OcspResponse(status);
        }

        var bytes = response.ReadSequence(Explicit0).ReadSequence();
        var type = bytes.ReadObjectIdentifier();
        if (type != BasicOid)
        {
            throw new FormatException($"its response type is {type}, not id-pkix-ocsp-basic");
        }

        var basic = new AsnReader(bytes.ReadOctetString(), AsnEncodingRules.DER).ReadSequence();
        var tbs = basic.ReadEncodedValue();
        var algorithm = basic.ReadSequence();
        var algorithmOid = algorithm.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : null;
        var signature = basic.ReadBitString(out _);
        var certificates = new List<X509Certificate2>();
        if (basic.HasData)
        {
            var certs = basic.ReadSequence(Explicit0).ReadSequence();
            while (certs.HasData && certificates.Count < 4) // a responder sends its own certificate, perhaps its issuer
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(certs.ReadEncodedValue().Span));
            }
        }

        var data = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        if (data.PeekTag().HasSameClassAndValue(Explicit0))
        {
            if (!data.ReadSequence(Explicit0).TryReadInt32(out var version) || version != 0)
            {
                throw new FormatException("its ResponseData version is not v1");
            }
        }

        X500DistinguishedName? name = null;
        byte[]? keyHash = null;
        var responder = data.PeekTag();
        if (responder.HasSameClassAndValue(Explicit1))
        {
            name = new X500DistinguishedName(data.ReadSequence(Explicit1).ReadEncodedValue().Span);
        }
        else
        {
            keyHash = data.ReadSequence(Explicit2).ReadOctetString();
        }

        var producedAt = data.ReadGeneralizedTime();
        var singles = new List<OcspSingleResponse>();
        var list = data.ReadSequence();
        while (list.HasData)
        {
            singles.Add(ReadSingle(list.ReadSequence()));
        }

        string? unknownCritical = null;
        if (data.HasData)
        {
            unknownCritical = ReadExtensions(data.ReadSequence(Explicit1));
        }

        data.ThrowIfNotEmpty();
        return new OcspResponse(status)
        {
            ResponderName = name,
            ResponderKeyHash = keyHash,
            ProducedAt = producedAt,
            Responses = singles,
            Certificates = certificates,
            UnknownCriticalExtension = unknownCritical ?? singles.Select(s => s.UnknownCriticalExtension).FirstOrDefault(e => e is not null),
            SignatureAlgorithm = algorithmOid,
            SignatureParameters = parameters,
            SignedBytes = tbs,
            Signature = signature,
        };
    }

    private static OcspSingleResponse ReadSingle(AsnReader single)
    {
        var certId = single.ReadSequence();
        var hashAlgorithm = certId.ReadSequence().ReadObjectIdentifier();
        var id = new OcspCertId(hashAlgorithm, certId.ReadOctetString(), certId.ReadOctetString(), certId.ReadIntegerBytes().ToArray());
        var tag = single.PeekTag();
        OcspCertStatus status;
        DateTimeOffset? revokedAt = null;
        X509RevocationReason? reason = null;
        if (tag.HasSameClassAndValue(Good))
        {
            single.ReadNull(Good);
            status = OcspCertStatus.Good;
        }
        else if (tag.HasSameClassAndValue(RevokedTag))
        {
            var info = single.ReadSequence(RevokedTag);
            revokedAt = info.ReadGeneralizedTime();
            if (info.HasData)
            {
                reason = info.ReadSequence(Explicit0).ReadEnumeratedValue<X509RevocationReason>();
            }

            status = OcspCertStatus.Revoked;
        }
        else
        {
            single.ReadNull(UnknownTag);
            status = OcspCertStatus.Unknown;
        }

        var thisUpdate = single.ReadGeneralizedTime();
        DateTimeOffset? nextUpdate = null;
        if (single.HasData && single.PeekTag().HasSameClassAndValue(Explicit0))
        {
            nextUpdate = single.ReadSequence(Explicit0).ReadGeneralizedTime();
        }

        string? unknownCritical = null;
        if (single.HasData)
        {
            unknownCritical = ReadExtensions(single.ReadSequence(Explicit1));
        }

        single.ThrowIfNotEmpty();
        return new OcspSingleResponse(id, status, thisUpdate, nextUpdate, revokedAt, reason, unknownCritical);
    }

    /// <summary>The first critical extension that is not the nonce (the only one a client-side profile needs), or null.</summary>
    private static string? ReadExtensions(AsnReader wrapper)
    {
        var extensions = wrapper.ReadSequence();
        wrapper.ThrowIfNotEmpty();
        string? unknown = null;
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.HasData && extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            extension.ReadOctetString();
            if (critical && oid != NonceOid)
            {
                unknown ??= oid;
            }
        }

        return unknown;
    }
}

/// <summary>RFC 6960 OCSPResponseStatus.</summary>
internal enum OcspResponseStatus
{
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

internal enum OcspCertStatus
{
    Good,
    Revoked,
    Unknown,
}

/// <summary>One SingleResponse: the status of one certificate, and for how long it holds.</summary>
internal sealed record OcspSingleResponse(
    OcspCertId CertId,
    OcspCertStatus Status,
    DateTimeOffset ThisUpdate,
    DateTimeOffset? NextUpdate,
    DateTimeOffset? RevokedAt,
    X509RevocationReason? Reason,
    string? UnknownCriticalExtension);
