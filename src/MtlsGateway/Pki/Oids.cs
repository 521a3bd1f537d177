namespace MtlsGateway.Pki;

/// <summary>Object identifiers the gateway reads or writes.</summary>
public static class Oids
{
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string SubjectAlternativeName = "2.5.29.17";
}
