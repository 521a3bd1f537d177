using System.Globalization;
using System.Text;

namespace MtlsGateway.Diagnostics;

/// <summary>
/// How much of a refusal's fields is logged (docs/observability.md, "Field caps"). A client chooses its certificate's
/// names: without caps one 60 KiB certificate with thousands of SANs is one 60 KiB log line, and a flood of them
/// fills the disk and the throttle's memory. What is cut says how much: "… (+N chars)", ",+N more".
/// </summary>
internal static class RefusalFieldCaps
{
    /// <summary>Any one string field (subject, issuer, serial, SNI, Host, each SAN of a list, ChainStatus...).</summary>
    public const int FieldLength = 256;

    /// <summary>The hint is the sentence that says what to fix: it gets more room, still bounded.</summary>
    public const int HintLength = 1024;

    /// <summary>Entries of <c>CertDns</c> and <c>CertUris</c>.</summary>
    public const int ListEntries = 10;

    /// <summary><paramref name="value"/> if it fits in <paramref name="max"/> characters, else its start and how much was cut.</summary>
    public static string? Truncate(string? value, int max = FieldLength)
    {
        if (value is null || value.Length <= max)
        {
            return value;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value.AsSpan(0, max)}… (+{value.Length - max} chars)");
    }

    /// <summary>The first <see cref="ListEntries"/> entries, each truncated, separated (by commas), then "+N more":
    /// built from those entries only, never from the whole list.</summary>
    public static string? List(IReadOnlyList<string> values, string separator = ",")
    {
        if (values.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        for (var i = 0; i < values.Count && i < ListEntries; i++)
        {
            text.Append(i == 0 ? string.Empty : separator).Append(Truncate(values[i]));
        }

        if (values.Count > ListEntries)
        {
            text.Append(separator).Append(CultureInfo.InvariantCulture, $"+{values.Count - ListEntries} more");
        }

        return text.ToString();
    }
}
