namespace MtlsGateway.Configuration;

/// <summary>A private key file other users of the machine can read: found while loading, logged at start as
/// <c>KeyFileReadable</c>. A warning, not an error: a fresh git checkout (which keeps no modes) must still start.</summary>
/// <param name="ConfigPath">Where the file is named, e.g. <c>Gateway:ServerCertificates:0:KeyFile</c>.</param>
/// <param name="KeyFile">The file's full path.</param>
/// <param name="Mode">Its permissions in octal, e.g. <c>644</c>.</param>
public sealed record KeyFileExposure(string ConfigPath, string KeyFile, string Mode);
