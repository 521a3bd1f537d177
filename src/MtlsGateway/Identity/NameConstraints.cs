using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace MtlsGateway.Identity;

/// <summary>
/// A CA's name constraints (RFC 5280 4.2.1.10) and the test of a subordinate certificate's names against them, for every
/// name form: dNSName, rfc822Name, URI (its host), iPAddress (with masks) and directoryName. The forms the gateway
/// cannot compare (otherName, x400Address, ediPartyName, registeredID) refuse a certificate that carries a name of a
/// form the CA constrains, as RFC 5280 requires of an application that does not process that form.
/// </summary>
internal sealed class NameConstraints
{
    public const string Oid = "2.5.29.30";

    private static readonly Asn1Tag PermittedTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag ExcludedTag = new(TagClass.ContextSpecific, 1, isConstructed: true);

    private NameConstraints(IReadOnlyList<GeneralName> permitted, IReadOnlyList<GeneralName> excluded)
    {
        Permitted = permitted;
        Excluded = excluded;
    }

    public IReadOnlyList<GeneralName> Permitted { get; }

    public IReadOnlyList<GeneralName> Excluded { get; }

    /// <summary>The constraints of <paramref name="certificate"/>, or null; its syntax was checked by <see cref="ExtensionSyntax"/>.</summary>
    public static NameConstraints? Of(X509Certificate2 certificate) =>
        certificate.Extensions[Oid] is { } extension ? Read(new AsnReader(extension.RawData, AsnEncodingRules.DER)) : null;

    /// <summary>Parses the extension value; throws <see cref="AsnContentException"/> where RFC 5280 forbids what it holds.</summary>
    public static NameConstraints Read(AsnReader reader)
    {
        var sequence = reader.ReadSequence();
        var permitted = sequence.HasData && sequence.PeekTag() == PermittedTag ? Subtrees(sequence.ReadSequence(PermittedTag), "permittedSubtrees") : null;
        var excluded = sequence.HasData && sequence.PeekTag() == ExcludedTag ? Subtrees(sequence.ReadSequence(ExcludedTag), "excludedSubtrees") : null;
        sequence.ThrowIfNotEmpty();
        return permitted is null && excluded is null
            ? throw new AsnContentException("neither permittedSubtrees nor excludedSubtrees is present (RFC 5280: one MUST be)")
            : new NameConstraints(permitted ?? [], excluded ?? []);
    }

    /// <summary>Why <paramref name="name"/> breaks these constraints, or null when it does not.</summary>
    public string? Violation(GeneralName name)
    {
        var permitted = Permitted.Where(p => p.Form == name.Form).ToList();
        var excluded = Excluded.Where(e => e.Form == name.Form).ToList();
        if (permitted.Count == 0 && excluded.Count == 0)
        {
            return null;
        }

        if (name.Form is GeneralNameForm.OtherName or GeneralNameForm.X400Address or GeneralNameForm.EdiPartyName or GeneralNameForm.RegisteredId)
        {
            return $"of a form the CA constrains ({string.Join(", ", permitted.Concat(excluded))}) that the gateway cannot compare, so it cannot be checked";
        }

        if (name.Form == GeneralNameForm.Uri && UriHost(name.Text) is null)
        {
            return "a URI without a host, which URI constraints cannot be applied to";
        }

        if (name.Form == GeneralNameForm.Rfc822Name && !name.Text.Contains('@', StringComparison.Ordinal))
        {
            return "not a mailbox (no @), which email constraints cannot be applied to";
        }

        foreach (var subtree in excluded)
        {
            if (Within(name, subtree))
            {
                return $"within excluded subtree {subtree}";
            }

            if (name.Form == GeneralNameForm.DnsName && WildcardCovers(name.Text, subtree.Text))
            {
                return $"a wildcard that covers names in excluded subtree {subtree}";
            }
        }

        return permitted.Count == 0 || permitted.Any(p => Within(name, p))
            ? null
            : $"not within any permitted subtree ({string.Join(", ", permitted)})";
    }

    private static List<GeneralName> Subtrees(AsnReader subtrees, string field)
    {
        var bases = new List<GeneralName>();
        while (subtrees.HasData)
        {
            var subtree = subtrees.ReadSequence();
            var name = GeneralName.Read(subtree);
            if (subtree.HasData && subtree.PeekTag() == new Asn1Tag(TagClass.ContextSpecific, 0) && subtree.ReadInteger(new Asn1Tag(TagClass.ContextSpecific, 0)) is var minimum && minimum != 0)
            {
                throw new AsnContentException($"{field}: subtree {name} has minimum {minimum} (RFC 5280: it MUST be 0)");
            }

            if (subtree.HasData)
            {
                throw new AsnContentException($"{field}: subtree {name} has a maximum (RFC 5280: it MUST be absent)");
            }

            if (name.Form == GeneralNameForm.IpAddress && name.Value.Length is not (8 or 32))
            {
                throw new AsnContentException($"{field}: iPAddress subtree of {name.Value.Length} bytes (an address and its mask take 8 or 32)");
            }

            bases.Add(name);
        }

        return bases.Count > 0 ? bases : throw new AsnContentException($"{field} is empty (RFC 5280: it MUST NOT be)");
    }

    private static bool Within(GeneralName name, GeneralName subtree) => name.Form switch
    {
        GeneralNameForm.DnsName => DnsWithin(name.Text, subtree.Text),
        GeneralNameForm.Rfc822Name => EmailWithin(name.Text, subtree.Text),
        GeneralNameForm.Uri => UriHost(name.Text) is { } host && HostWithin(host, subtree.Text),
        GeneralNameForm.IpAddress => IpWithin(name.Value.Span, subtree.Value.Span),
        GeneralNameForm.DirectoryName => DirectoryWithin(name.Value, subtree.Value),
        _ => false,
    };

    /// <summary>"partner.test" holds itself and every name below it; ".partner.test" only the names below; "" holds all.</summary>
    private static bool DnsWithin(string name, string constraint)
    {
        name = name.TrimEnd('.');
        constraint = constraint.TrimEnd('.');
        if (constraint.Length == 0)
        {
            return true;
        }

        return constraint.StartsWith('.')
            ? name.EndsWith(constraint, StringComparison.OrdinalIgnoreCase) && name.Length > constraint.Length
            : name.Equals(constraint, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + constraint, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// <c>*.partner.test</c> stands for every <c>label.partner.test</c>: an excluded <c>secret.partner.test</c> is one of
    /// them. (A wildcard inside an excluded subtree is already caught by <see cref="DnsWithin"/>.)
    /// </summary>
    private static bool WildcardCovers(string name, string excluded)
    {
        if (!name.StartsWith("*.", StringComparison.Ordinal) || excluded.StartsWith('.'))
        {
            return false;
        }

        var parent = name[2..].TrimEnd('.');
        excluded = excluded.TrimEnd('.');
        return excluded.EndsWith("." + parent, StringComparison.OrdinalIgnoreCase)
            && !excluded[..^(parent.Length + 1)].Contains('.', StringComparison.Ordinal);
    }

    /// <summary>"orders@partner.test" is that mailbox, "partner.test" any mailbox at that host, ".partner.test" any below it.</summary>
    private static bool EmailWithin(string mailbox, string constraint)
    {
        var at = mailbox.LastIndexOf('@');
        var domain = mailbox[(at + 1)..];
        if (constraint.Contains('@', StringComparison.Ordinal))
        {
            var constraintAt = constraint.LastIndexOf('@');
            return string.Equals(mailbox[..at], constraint[..constraintAt], StringComparison.Ordinal)
                && domain.Equals(constraint[(constraintAt + 1)..], StringComparison.OrdinalIgnoreCase);
        }

        return HostWithin(domain, constraint);
    }

    /// <summary>For URI and email constraints: "host" is exactly that host, ".host" any host below it.</summary>
    private static bool HostWithin(string host, string constraint) => constraint.StartsWith('.')
        ? host.EndsWith(constraint, StringComparison.OrdinalIgnoreCase) && host.Length > constraint.Length
        : host.Equals(constraint, StringComparison.OrdinalIgnoreCase);

    private static string? UriHost(string uri) =>
        System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IdnHost.Length > 0 && uri.Contains("//", StringComparison.Ordinal)
            ? parsed.IdnHost.Trim('[', ']')
            : null;

    private static bool IpWithin(ReadOnlySpan<byte> address, ReadOnlySpan<byte> subtree)
    {
        if (subtree.Length != address.Length * 2)
        {
            return false; // an IPv4 constraint says nothing about an IPv6 address, and the reverse
        }

        for (var i = 0; i < address.Length; i++)
        {
            var mask = subtree[address.Length + i];
            if ((address[i] & mask) != (subtree[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The constraint's RDNs begin the name's, compared as encoded.</summary>
    private static bool DirectoryWithin(ReadOnlyMemory<byte> name, ReadOnlyMemory<byte> constraint)
    {
        var names = Rdns(name);
        var constraints = Rdns(constraint);
        return constraints.Count <= names.Count && constraints.Select((c, i) => c.AsSpan().SequenceEqual(names[i])).All(same => same);
    }

    private static List<byte[]> Rdns(ReadOnlyMemory<byte> name)
    {
        var rdns = new List<byte[]>();
        var sequence = new AsnReader(name, AsnEncodingRules.DER).ReadSequence();
        while (sequence.HasData)
        {
            rdns.Add(sequence.ReadEncodedValue().ToArray());
        }

        return rdns;
    }
}
