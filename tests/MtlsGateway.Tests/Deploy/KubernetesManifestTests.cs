using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/ parsed into the Kubernetes client's typed models (strictly: an unknown or misspelt field fails)
/// and checked for wiring: ports, probes, mounts, selectors and security settings agree with each other and with
/// the gateway.json the ConfigMap carries — which validates with the real CLI once its mounted files exist.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = RepositoryPaths.Combine("deploy", "kubernetes");
    private static readonly Lazy<IReadOnlyList<object>> Manifests = new(LoadManifests);

    private static V1Deployment Deployment => Manifests.Value.OfType<V1Deployment>().Single();

    private static V1Container Container => Deployment.Spec.Template.Spec.Containers.Single();

    private static V1ConfigMap ConfigMap => Manifests.Value.OfType<V1ConfigMap>().Single();

    private static JsonNode GatewayJson => JsonNode.Parse(ConfigMap.Data["gateway.json"])!;

    private static string ConfigArgument => Container.Args[Container.Args.IndexOf("--config") + 1];

    /// <summary>The admin URL the pod binds: the container's Gateway__Admin__Url, which overrides gateway.json.</summary>
    private static string AdminUrl => Container.Env.Single(e => e.Name == "Gateway__Admin__Url").Value;

    [Fact]
    public void Manifests_EveryFile_ParsesIntoTheKubernetesModels()
    {
        Manifests.Value.Select(m => m.GetType().Name).Should().BeEquivalentTo(
        [
            nameof(V1Namespace), nameof(V1Secret), nameof(V1Secret), nameof(V1ConfigMap), nameof(V1Deployment),
            nameof(V1Service), nameof(V1Service), nameof(V1PodDisruptionBudget), nameof(V2HorizontalPodAutoscaler),
        ]);
        Manifests.Value.Cast<IMetadata<V1ObjectMeta>>().Where(m => m is not V1Namespace)
            .Should().OnlyContain(m => m.Metadata.NamespaceProperty == "mtls-gateway");
        LoadServiceMonitor().Spec.Endpoints.Should().ContainSingle();
    }

    [Fact]
    public void Deployment_ContainerPorts_AreTheConfigMapListenerPortsAndAdmin()
    {
        var listeners = GatewayJson["Gateway"]!["Listeners"]!.AsObject().Select(l => PortOf((string)l.Value!["Url"]!));
        var admin = PortOf(AdminUrl);

        Container.Ports.Select(p => p.ContainerPort).Should().BeEquivalentTo(listeners.Append(admin));
        Container.Ports.Single(p => p.ContainerPort == admin).Name.Should().Be("admin");
    }

    [Fact]
    public void Deployment_AdminListener_BindsThePodIpNotEveryAddress()
    {
        // The kubelet, the NLB's health check and Prometheus connect to the pod's IP: bind that, not 0.0.0.0.
        AdminUrl.Should().StartWith("http://$(POD_IP):");
        var podIp = Container.Env.Single(e => e.Name == "POD_IP");
        podIp.ValueFrom.FieldRef.FieldPath.Should().Be("status.podIP");
        Container.Env.IndexOf(podIp).Should().BeLessThan(Container.Env.IndexOf(Container.Env.Single(e => e.Name == "Gateway__Admin__Url")),
            "$(POD_IP) expands only a variable defined before it");
        GatewayJson["Gateway"]!["Admin"]!["Url"].Should().BeNull("one place says where admin listens");
    }

    [Fact]
    public void ConfigMap_AdminAllowedHosts_NameTheAdminService()
    {
        // Prometheus scrapes pods by IP (always answered); people and scripts use the Service's names.
        var service = Manifests.Value.OfType<V1Service>().Single(s => s.Spec.Type == "ClusterIP").Metadata;
        GatewayJson["Gateway"]!["Admin"]!["AllowedHosts"]!.AsArray().Select(h => (string)h!).Should().Contain(
            [service.Name, $"{service.Name}.{service.NamespaceProperty}.svc", $"{service.Name}.{service.NamespaceProperty}.svc.cluster.local"]);
    }

    [Fact]
    public void ConfigMap_ProxyProtocolTrust_IsTheBalancersSubnetsNotThePrivateRange()
    {
        // Anyone in a trusted network may write a PROXY header with any client address.
        var trusted = GatewayJson["Gateway"]!["Listeners"]!.AsObject()
            .SelectMany(l => l.Value!["ProxyProtocol"]!["TrustedNetworks"]!.AsArray().Select(n => (string)n!)).ToList();
        trusted.Should().NotBeEmpty();
        trusted.Select(n => n.Contains('/', StringComparison.Ordinal) ? int.Parse(n.Split('/')[1], CultureInfo.InvariantCulture) : 32)
            .Should().OnlyContain(prefix => prefix >= 20, "a /8 trusts every pod and node of the cluster");
    }

    [Fact]
    public void Deployment_Probes_UseTheAdminHealthEndpoints()
    {
        var admin = PortOf(AdminUrl);

        Container.ReadinessProbe.HttpGet.Path.Should().Be("/readyz");
        Container.LivenessProbe.HttpGet.Path.Should().Be("/healthz");
        Container.StartupProbe.HttpGet.Path.Should().Be("/healthz");
        foreach (var probe in new[] { Container.ReadinessProbe, Container.LivenessProbe, Container.StartupProbe })
        {
            ContainerPort(probe.HttpGet.Port).Should().Be(admin);
        }
    }

    [Fact]
    public void Deployment_MountedFiles_AreTheFilesTheConfigMapNames()
    {
        // The config file itself comes from the ConfigMap, mounted as a directory: a subPath mount never updates.
        Container.VolumeMounts.Should().OnlyContain(m => m.SubPath == null && m.SubPathExpr == null);
        ProvidedBy(ConfigArgument).Should().Be((ConfigMap.Metadata.Name, "gateway.json"));

        var configFolder = Path.GetDirectoryName(ConfigArgument)!;
        var named = NamedFiles(GatewayJson).Select(f => Path.GetFullPath(Path.Combine(configFolder, f))).ToList();
        named.Should().NotBeEmpty();
        var secrets = Manifests.Value.OfType<V1Secret>().ToDictionary(s => s.Metadata.Name);
        foreach (var file in named)
        {
            var (source, key) = ProvidedBy(file);
            secrets.Should().ContainKey(source, $"{file} is mounted from Secret {source}");
            secrets[source].Data.Keys.Should().Contain(key, $"{file} is key {key} of Secret {source}");
        }

        // cert-manager's layout for the server certificate.
        var server = secrets.Values.Single(s => s.Type == "kubernetes.io/tls");
        server.Data.Keys.Should().BeEquivalentTo(["tls.crt", "tls.key", "ca.crt"]);
        named.Should().Contain(f => f.EndsWith("/tls.crt", StringComparison.Ordinal)).And.Contain(f => f.EndsWith("/tls.key", StringComparison.Ordinal));
    }

    [Fact]
    public void Services_TargetPortsAndSelectors_MatchTheDeploymentsPods()
    {
        var podLabels = Deployment.Spec.Template.Metadata.Labels;
        var containerPorts = Container.Ports.Select(p => p.ContainerPort).ToHashSet();
        var services = Manifests.Value.OfType<V1Service>().ToList();
        foreach (var service in services)
        {
            service.Spec.Selector.Should().BeSubsetOf(podLabels, service.Metadata.Name);
            foreach (var port in service.Spec.Ports)
            {
                containerPorts.Should().Contain(ContainerPort(port.TargetPort), $"{service.Metadata.Name} port {port.Name}");
            }
        }

        var publicService = services.Single(s => s.Spec.Type == "LoadBalancer");
        publicService.Spec.Ports.Select(p => ContainerPort(p.TargetPort)).Should().BeEquivalentTo(
            GatewayJson["Gateway"]!["Listeners"]!.AsObject().Select(l => PortOf((string)l.Value!["Url"]!)), "the public Service exposes the partner listeners, not admin");
        publicService.Metadata.Annotations.Should().ContainKey("service.beta.kubernetes.io/aws-load-balancer-proxy-protocol");
        GatewayJson["Gateway"]!["Listeners"]!.AsObject().Should().OnlyContain(l => (string)l.Value!["ProxyProtocol"]!["Mode"]! == "Required",
            "the balancer is annotated to send PROXY protocol, so every partner listener must read it");

        Deployment.Spec.Selector.MatchLabels.Should().BeSubsetOf(podLabels);
        Manifests.Value.OfType<V1PodDisruptionBudget>().Single().Spec.Selector.MatchLabels.Should().BeSubsetOf(podLabels);
        var hpa = Manifests.Value.OfType<V2HorizontalPodAutoscaler>().Single();
        (hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name).Should().Be(("Deployment", Deployment.Metadata.Name));
        hpa.Spec.MinReplicas.Should().BeGreaterThan(1, "the PDB's maxUnavailable 1 must leave a pod serving");

        var monitor = LoadServiceMonitor();
        var adminService = services.Single(s => monitor.Spec.Selector.MatchLabels.All(l => s.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value));
        var scraped = adminService.Spec.Ports.Single(p => p.Name == monitor.Spec.Endpoints.Single().Port);
        ContainerPort(scraped.TargetPort).Should().Be(PortOf(AdminUrl));
        monitor.Spec.Endpoints.Single().Path.Should().Be("/metrics");
    }

    [Fact]
    public void Deployment_Pod_RunsNonRootReadOnlyWithResourcesAndADrainingStop()
    {
        var pod = Deployment.Spec.Template.Spec;
        pod.SecurityContext.RunAsNonRoot.Should().BeTrue();
        pod.SecurityContext.RunAsUser.Should().BeGreaterThan(0);
        Container.SecurityContext.ReadOnlyRootFilesystem.Should().BeTrue();
        Container.SecurityContext.AllowPrivilegeEscalation.Should().BeFalse();
        Container.SecurityContext.Capabilities.Drop.Should().Contain("ALL");
        Container.VolumeMounts.Where(m => m.ReadOnlyProperty != true).Select(m => m.MountPath).Should().BeEquivalentTo(["/tmp"], "the only writable path");

        Container.Resources.Requests.Should().ContainKeys("cpu", "memory");
        Container.Resources.Limits.Should().ContainKey("memory");

        // The pod keeps serving while the balancer notices it is gone, then Kestrel drains (host ShutdownTimeout 30 s).
        var preStop = Container.Lifecycle.PreStop.Sleep.Seconds;
        preStop.Should().BeGreaterThanOrEqualTo(5);
        pod.TerminationGracePeriodSeconds.Should().BeGreaterThanOrEqualTo(preStop + 30);
        Deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value.Should().Be("0");
    }

    [Fact]
    public async Task ConfigMap_GatewayJsonWithItsMountsFilledFromADevPki_ValidatesWithTheCli()
    {
        var root = Path.Combine(Path.GetTempPath(), "mtlsgw-k8s-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var pki = Path.Combine(root, "pki");
            DevPki.Write(pki, DateTimeOffset.UtcNow);
            byte[] Read(params string[] files) => [.. files.SelectMany(f => File.ReadAllBytes(Path.Combine(pki, f)))];

            // What each mounted key holds in this test: the development PKI standing in for cert-manager and partners.
            var contents = new Dictionary<string, byte[]>
            {
                ["gateway-config/gateway.json"] = Encoding.UTF8.GetBytes(ConfigMap.Data["gateway.json"]),
                ["gateway-server-tls/tls.crt"] = Read("server.crt"),
                ["gateway-server-tls/tls.key"] = Read("server.key"),
                ["gateway-server-tls/ca.crt"] = Read("partners-root.crt"),
                ["gateway-partner-trust/ca.crt"] = Read("partners-root.crt", "partners-intermediate.crt"),
                ["gateway-partner-trust/root.crl"] = Read("partners-root.crl"),
                ["gateway-partner-trust/intermediate.crl"] = Read("partners.crl"),
            };
            foreach (var mount in Container.VolumeMounts.Where(m => m.ReadOnlyProperty == true))
            {
                var (source, keys) = VolumeSource(mount.Name);
                WriteProjectedVolume(root + mount.MountPath, keys.ToDictionary(k => k, k => contents[$"{source}/{k}"]));
            }

            var result = await GatewayCli.RunAsync("validate", "--config", root + ConfigArgument);

            result.ExitCode.Should().Be(0, result.Output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static List<object> LoadManifests() =>
        [.. Directory.GetFiles(Folder, "*.yaml").Where(f => Path.GetFileName(f) != "servicemonitor.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f), strict: true))];

    private static ServiceMonitor LoadServiceMonitor() =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Folder, "servicemonitor.yaml")),
            new Dictionary<string, Type> { [ServiceMonitor.TypeKey] = typeof(ServiceMonitor) }, strict: true).Cast<ServiceMonitor>().Single();

    private static int PortOf(string url) =>
        new Uri(url.Replace("0.0.0.0", "host", StringComparison.Ordinal).Replace("$(POD_IP)", "host", StringComparison.Ordinal)).Port;

    /// <summary>A port given by number or by the container port's name, as a number.</summary>
    private static int ContainerPort(IntOrString port) =>
        int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : Container.Ports.Single(p => p.Name == port.Value).ContainerPort;

    /// <summary>Which ConfigMap/Secret and key provide the file at <paramref name="path"/> in the container.</summary>
    private static (string Source, string Key) ProvidedBy(string path)
    {
        var mount = Container.VolumeMounts.SingleOrDefault(m => Path.GetDirectoryName(path) == m.MountPath.TrimEnd('/'));
        mount.Should().NotBeNull($"{path} is in no mounted folder");
        var (source, keys) = VolumeSource(mount!.Name);
        keys.Should().Contain(Path.GetFileName(path), $"{path} is a key of {source}");
        return (source, Path.GetFileName(path));
    }

    private static (string Source, IReadOnlyList<string> Keys) VolumeSource(string volumeName)
    {
        var volume = Deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == volumeName);
        if (volume.ConfigMap is { } configMap)
        {
            var map = Manifests.Value.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == configMap.Name);
            return (configMap.Name, configMap.Items?.Select(i => i.Path).ToList() ?? [.. map.Data.Keys]);
        }

        var secret = Manifests.Value.OfType<V1Secret>().Single(s => s.Metadata.Name == volume.Secret.SecretName);
        return (secret.Metadata.Name, volume.Secret.Items?.Select(i => i.Path).ToList() ?? [.. secret.Data.Keys]);
    }

    /// <summary>Every file path in the gateway section: values of keys ending in File, items of keys ending in Files.</summary>
    private static IEnumerable<string> NamedFiles(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key.EndsWith("File", StringComparison.Ordinal) && p.Value is JsonValue v
            ? [(string)v!]
            : p.Key.EndsWith("Files", StringComparison.Ordinal) && p.Value is JsonArray a ? a.Select(i => (string)i!) : NamedFiles(p.Value)),
        JsonArray a => a.SelectMany(NamedFiles),
        _ => [],
    };

    /// <summary>Lays files out as the kubelet does for a ConfigMap/Secret volume: a timestamped folder, an atomic
    /// <c>..data</c> symlink to it, and one symlink per key through <c>..data</c>.</summary>
    private static void WriteProjectedVolume(string mountPath, IReadOnlyDictionary<string, byte[]> files)
    {
        const string Stamp = "..2025_01_01_00_00_00.000000001";
        Directory.CreateDirectory(Path.Combine(mountPath, Stamp));
        foreach (var (key, content) in files)
        {
            File.WriteAllBytes(Path.Combine(mountPath, Stamp, key), content);
            File.CreateSymbolicLink(Path.Combine(mountPath, key), Path.Combine("..data", key));
        }

        Directory.CreateSymbolicLink(Path.Combine(mountPath, "..data"), Stamp);
    }
}
