namespace MtlsGateway.Configuration;

/// <summary><c>Gateway:Diagnostics</c>: what the status page remembers of the partners it has seen (GATEWAY.md,
/// "Admin endpoint"). Read at each use, so a reload applies at the next sweep.</summary>
public sealed class DiagnosticsOptions
{
    public static readonly TimeSpan DefaultPartnerRetention = TimeSpan.FromDays(7);

    public const int DefaultMaxPartners = 1000;

    public static readonly TimeSpan DefaultClientExpiryWarning = TimeSpan.FromDays(30);

    /// <summary>A partner not seen for this long leaves the registry [7 days].</summary>
    public TimeSpan PartnerRetention { get; set; } = DefaultPartnerRetention;

    /// <summary>How many partner certificates (per certificate and policy) are kept; the least recently seen go first [1000].
    /// 0 turns the registry off: no partner list, no <c>ClientCertificateExpiring</c>, no partner expiry gauge.</summary>
    public int MaxPartners { get; set; } = DefaultMaxPartners;

    /// <summary>A partner certificate expiring within this window is highlighted and logged as <c>ClientCertificateExpiring</c> [30 days].</summary>
    public TimeSpan ClientExpiryWarning { get; set; } = DefaultClientExpiryWarning;

    /// <summary>Appends every problem with <c>Gateway:Diagnostics</c>, each at its path.</summary>
    public static void Validate(DiagnosticsOptions options, ICollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (options.PartnerRetention <= TimeSpan.Zero || options.PartnerRetention > TimeSpan.FromDays(366))
        {
            errors.Add(new ConfigError("Gateway:Diagnostics:PartnerRetention", $"must be positive and at most 366 days, e.g. '7.00:00:00'; got '{options.PartnerRetention}'"));
        }

        if (options.MaxPartners is < 0 or > 100_000)
        {
            errors.Add(new ConfigError("Gateway:Diagnostics:MaxPartners", $"must be between 0 (no partner registry) and 100000 (each partner costs about 2 KiB); got {options.MaxPartners}"));
        }

        if (options.ClientExpiryWarning < TimeSpan.Zero || options.ClientExpiryWarning > TimeSpan.FromDays(366))
        {
            errors.Add(new ConfigError("Gateway:Diagnostics:ClientExpiryWarning", $"must be between 0 and 366 days, e.g. '30.00:00:00'; got '{options.ClientExpiryWarning}'"));
        }
    }
}
