using System.Globalization;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// One rendered overlay seen from the gateway pod: its Deployment and container, and the configuration the pod
/// runs — the ConfigMap's gateway.json with the container's <c>Gateway__…</c> environment over it, as the gateway
/// reads them (environment variables override the file key by key).
/// </summary>
internal sealed class KubernetesPod
{
    private static readonly string[] CertManagerKeys = ["tls.crt", "tls.key", "ca.crt"];

    public KubernetesPod(IReadOnlyList<object> manifests)
    {
        Manifests = manifests;
        Deployment = manifests.OfType<V1Deployment>().Single();
        Container = Deployment.Spec.Template.Spec.Containers.Single();
        ConfigMap = manifests.OfType<V1ConfigMap>().Single();
        GatewayJson = Configuration(includeEnvironment: false);
        Effective = Configuration(includeEnvironment: true);
    }

    public IReadOnlyList<object> Manifests { get; }

    public V1Deployment Deployment { get; }

    public V1Container Container { get; }

    public V1ConfigMap ConfigMap { get; }

    public IEnumerable<V1Service> Services => Manifests.OfType<V1Service>();

    /// <summary>gateway.json alone.</summary>
    public IConfiguration GatewayJson { get; }

    /// <summary>gateway.json with the container's environment over it: what the pod runs.</summary>
    public IConfiguration Effective { get; }

    public string ConfigArgument => Container.Args[Container.Args.IndexOf("--config") + 1];

    /// <summary>The admin URL the pod binds: the container's Gateway__Admin__Url, which overrides gateway.json.</summary>
    public string AdminUrl => Effective["Gateway:Admin:Url"]!;

    public int AdminPort => PortOf(AdminUrl);

    public IEnumerable<int> ListenerPorts => Effective.GetSection("Gateway:Listeners").GetChildren().Select(l => PortOf(l["Url"]!));

    /// <summary>A port given by number or by the container port's name, as a number.</summary>
    public int ContainerPort(IntOrString port) =>
        int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : Container.Ports.Single(p => p.Name == port.Value).ContainerPort;

    /// <summary>Which ConfigMap/Secret and key provide the file at <paramref name="path"/> in the container.</summary>
    public (string Source, string Key) ProvidedBy(string path)
    {
        var mount = Container.VolumeMounts.SingleOrDefault(m => Path.GetDirectoryName(path) == m.MountPath.TrimEnd('/'));
        mount.Should().NotBeNull($"{path} is in no mounted folder");
        var (source, keys) = VolumeSource(mount!.Name);
        keys.Should().Contain(Path.GetFileName(path), $"{path} is a key of {source}");
        return (source, Path.GetFileName(path));
    }

    /// <summary>The ConfigMap or Secret behind a volume, and its keys (a Secret cert-manager issues has its three).</summary>
    public (string Source, IReadOnlyList<string> Keys) VolumeSource(string volumeName)
    {
        var volume = Deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == volumeName);
        if (volume.ConfigMap is { } configMap)
        {
            var map = Manifests.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == configMap.Name);
            return (configMap.Name, configMap.Items?.Select(i => i.Path).ToList() ?? [.. map.Data.Keys]);
        }

        var name = volume.Secret.SecretName;
        var secret = Manifests.OfType<V1Secret>().SingleOrDefault(s => s.Metadata.Name == name);
        if (secret is null)
        {
            Manifests.OfType<CertManagerCertificate>().Should().Contain(c => c.Spec.SecretName == name,
                $"volume {volumeName} mounts Secret {name}, which neither the manifests nor cert-manager provide");
            return (name, volume.Secret.Items?.Select(i => i.Path).ToList() ?? [.. CertManagerKeys]);
        }

        return (name, volume.Secret.Items?.Select(i => i.Path).ToList() ?? [.. secret.Data.Keys]);
    }

    private static int PortOf(string url) =>
        new Uri(url.Replace("0.0.0.0", "host", StringComparison.Ordinal).Replace("$(POD_IP)", "host", StringComparison.Ordinal)).Port;

    private IConfiguration Configuration(bool includeEnvironment)
    {
        var builder = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(ConfigMap.Data["gateway.json"])));
        if (includeEnvironment)
        {
            builder.AddInMemoryCollection(Container.Env.Where(e => e.Value is not null && e.Name.StartsWith("Gateway__", StringComparison.Ordinal))
                .Select(e => KeyValuePair.Create(e.Name.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)));
        }

        return builder.Build();
    }
}
