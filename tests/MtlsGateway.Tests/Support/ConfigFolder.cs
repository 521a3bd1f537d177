using System.Text.Json.Nodes;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Support;

/// <summary>A temp folder with a development PKI under <c>pki/</c> and a <c>gateway.json</c> built from
/// <see cref="GatewayTestHost.DefaultConfig"/>, for tests that load configuration without starting a gateway.</summary>
internal sealed class ConfigFolder : IDisposable
{
    public ConfigFolder(Action<JsonObject, string>? edit = null, DateTimeOffset? now = null)
    {
        Directory.CreateDirectory(Path);
        DevPki.Write(System.IO.Path.Combine(Path, "pki"), now ?? DateTimeOffset.UtcNow);
        var config = GatewayTestHost.DefaultConfig("http://127.0.0.1:5999");
        edit?.Invoke(config, Path);
        Write(config);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mtlsgw-cfg-" + Guid.NewGuid().ToString("N")[..12]);

    public string ConfigPath => System.IO.Path.Combine(Path, "gateway.json");

    public string Pki(string file) => System.IO.Path.Combine(Path, "pki", file);

    public void Write(JsonObject config) => File.WriteAllText(ConfigPath, config.ToJsonString());

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
