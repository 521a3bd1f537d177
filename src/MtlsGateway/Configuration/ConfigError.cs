namespace MtlsGateway.Configuration;

/// <summary>One problem in the configuration: where it is (a configuration path such as
/// <c>Gateway:Policies:acme:TrustStore</c>) and what is wrong and what to do.</summary>
public sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";

    /// <summary>The names a message offers instead of a wrong one, sorted, or <c>(none)</c>.</summary>
    internal static string Known(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list);
    }
}
