using System.Globalization;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/ as users apply it (each Kustomize overlay, and with the optional components), checked for
/// wiring: ports, probes, mounts, selectors, the NetworkPolicy and security settings agree with each other and with
/// the configuration the pods run — the ConfigMap's gateway.json with the container's <c>Gateway__…</c> environment
/// over it — which validates with the real CLI once its mounted files exist.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class KubernetesManifestTests(RenderedOverlays overlays) : IClassFixture<RenderedOverlays>
{
    public static TheoryData<string> Overlays => RenderedOverlays.All;

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_Renders_IntoTheExpectedObjectsAllInTheGatewayNamespace(string overlay)
    {
        List<string> expected =
        [
            nameof(V1Namespace), nameof(V1Secret), nameof(V1Secret), nameof(V1ConfigMap), nameof(V1Deployment),
            nameof(V1Service), nameof(V1Service), nameof(V1NetworkPolicy),
        ];
        if (overlay != RenderedOverlays.SingleInstance)
        {
            expected.AddRange([nameof(V1PodDisruptionBudget), nameof(V2HorizontalPodAutoscaler)]);
        }

        if (overlay == RenderedOverlays.ScaleWithComponents)
        {
            // cert-manager owns the server certificate's Secret: the base's empty placeholder is gone.
            expected.Remove(nameof(V1Secret));
            expected.AddRange([nameof(CertManagerCertificate), nameof(ServiceMonitor), nameof(PrometheusRule)]);
        }

        var pod = For(overlay);
        pod.Manifests.Select(m => m.GetType().Name).Should().BeEquivalentTo(expected);
        pod.Manifests.Cast<IMetadata<V1ObjectMeta>>().Where(m => m is not V1Namespace)
            .Should().OnlyContain(m => m.Metadata.NamespaceProperty == "mtls-gateway");
        pod.Deployment.Spec.Replicas.Should().Be(overlay == RenderedOverlays.SingleInstance ? 1 : 3);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Deployment_ContainerPorts_AreTheListenerPortsAndAdmin(string overlay)
    {
        var pod = For(overlay);

        pod.Container.Ports.Select(p => p.ContainerPort).Should().BeEquivalentTo(pod.ListenerPorts.Append(pod.AdminPort));
        pod.Container.Ports.Single(p => p.ContainerPort == pod.AdminPort).Name.Should().Be("admin");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Deployment_AdminListener_BindsThePodIpNotEveryAddress(string overlay)
    {
        // The kubelet, the NLB's health check and Prometheus connect to the pod's IP: bind that, not 0.0.0.0.
        var pod = For(overlay);
        pod.AdminUrl.Should().StartWith("http://$(POD_IP):");
        var env = pod.Container.Env;
        var podIp = env.Single(e => e.Name == "POD_IP");
        podIp.ValueFrom.FieldRef.FieldPath.Should().Be("status.podIP");
        env.IndexOf(podIp).Should().BeLessThan(env.IndexOf(env.Single(e => e.Name == "Gateway__Admin__Url")),
            "$(POD_IP) expands only a variable defined before it");
        pod.GatewayJson["Gateway:Admin:Url"].Should().BeNull("one place says where admin listens");
        env.Single(e => e.Name == "Gateway__Admin__AllowRemote").Value.Should().Be("true", "the pod IP is not loopback; the NetworkPolicy limits who reaches it");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ConfigMap_AdminAllowedHosts_NameTheAdminService(string overlay)
    {
        // Prometheus scrapes pods by IP (always answered); people and scripts use the Service's names.
        var pod = For(overlay);
        var service = pod.Services.Single(s => s.Spec.Type == "ClusterIP").Metadata;
        pod.Effective.GetSection("Gateway:Admin:AllowedHosts").Get<string[]>().Should().Contain(
            [service.Name, $"{service.Name}.{service.NamespaceProperty}.svc", $"{service.Name}.{service.NamespaceProperty}.svc.cluster.local"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ProxyProtocol_IsRequiredExactlyWhenTheBalancerSendsIt_FromTheBalancersSubnetsOnly(string overlay)
    {
        var pod = For(overlay);
        var publicService = pod.Services.Single(s => s.Spec.Type == "LoadBalancer");
        var sends = publicService.Metadata.Annotations.ContainsKey("service.beta.kubernetes.io/aws-load-balancer-proxy-protocol");
        sends.Should().Be(overlay != RenderedOverlays.SingleInstance);

        foreach (var listener in pod.Effective.GetSection("Gateway:Listeners").GetChildren())
        {
            var mode = listener["ProxyProtocol:Mode"];
            if (!sends)
            {
                // A passthrough balancer: the client address arrives as the TCP source, kept by Local.
                mode.Should().BeNull($"listener {listener.Key} must not wait for a header nobody sends");
                publicService.Spec.ExternalTrafficPolicy.Should().Be("Local");
                continue;
            }

            mode.Should().Be("Required", $"the balancer sends PROXY protocol to listener {listener.Key}");

            // Anyone in a trusted network may write a PROXY header with any client address.
            var trusted = listener.GetSection("ProxyProtocol:TrustedNetworks").Get<string[]>() ?? [];
            trusted.Should().NotBeEmpty();
            trusted.Select(n => n.Contains('/', StringComparison.Ordinal) ? int.Parse(n.Split('/')[1], CultureInfo.InvariantCulture) : 32)
                .Should().OnlyContain(prefix => prefix >= 20, "a /8 trusts every pod and node of the cluster");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Deployment_Probes_UseTheAdminHealthEndpoints(string overlay)
    {
        var pod = For(overlay);
        var container = pod.Container;

        container.ReadinessProbe.HttpGet.Path.Should().Be("/readyz");
        container.LivenessProbe.HttpGet.Path.Should().Be("/healthz");
        container.StartupProbe.HttpGet.Path.Should().Be("/healthz");
        foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe })
        {
            pod.ContainerPort(probe.HttpGet.Port).Should().Be(pod.AdminPort);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Deployment_MountedFiles_AreTheFilesTheConfigMapNames(string overlay)
    {
        // The config file itself comes from the ConfigMap, mounted as a directory: a subPath mount never updates.
        var pod = For(overlay);
        pod.Container.VolumeMounts.Should().OnlyContain(m => m.SubPath == null && m.SubPathExpr == null);
        pod.ProvidedBy(pod.ConfigArgument).Should().Be((pod.ConfigMap.Metadata.Name, "gateway.json"));

        var configFolder = Path.GetDirectoryName(pod.ConfigArgument)!;
        var named = NamedFiles(pod.Effective.GetSection("Gateway")).Select(f => Path.GetFullPath(Path.Combine(configFolder, f))).ToList();
        named.Should().NotBeEmpty();
        var secrets = pod.Manifests.OfType<V1Secret>().ToDictionary(s => s.Metadata.Name);
        var issued = pod.Manifests.OfType<CertManagerCertificate>().Select(c => c.Spec.SecretName).ToHashSet();
        foreach (var file in named)
        {
            var (source, key) = pod.ProvidedBy(file);
            if (issued.Contains(source))
            {
                // cert-manager writes tls.crt, tls.key and ca.crt into the Secret it is told to.
                key.Should().BeOneOf("tls.crt", "tls.key", "ca.crt");
                continue;
            }

            secrets.Should().ContainKey(source, $"{file} is mounted from Secret {source}");
            secrets[source].Data.Keys.Should().Contain(key, $"{file} is key {key} of Secret {source}");
        }

        // cert-manager's layout for the server certificate, whether cert-manager or a person writes it.
        if (secrets.Values.SingleOrDefault(s => s.Type == "kubernetes.io/tls") is { } server)
        {
            server.Data.Keys.Should().BeEquivalentTo(["tls.crt", "tls.key", "ca.crt"]);
        }
        else
        {
            issued.Should().ContainSingle();
        }

        named.Should().Contain(f => f.EndsWith("/tls.crt", StringComparison.Ordinal)).And.Contain(f => f.EndsWith("/tls.key", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Services_TargetPortsAndSelectors_MatchTheDeploymentsPods(string overlay)
    {
        var pod = For(overlay);
        var podLabels = pod.Deployment.Spec.Template.Metadata.Labels;
        var containerPorts = pod.Container.Ports.Select(p => p.ContainerPort).ToHashSet();
        foreach (var service in pod.Services)
        {
            service.Spec.Selector.Should().BeSubsetOf(podLabels, service.Metadata.Name);
            foreach (var port in service.Spec.Ports)
            {
                containerPorts.Should().Contain(pod.ContainerPort(port.TargetPort), $"{service.Metadata.Name} port {port.Name}");
            }
        }

        var publicService = pod.Services.Single(s => s.Spec.Type == "LoadBalancer");
        publicService.Spec.Ports.Select(p => pod.ContainerPort(p.TargetPort)).Should().BeEquivalentTo(pod.ListenerPorts,
            "the public Service exposes the partner listeners, not admin");
        pod.Deployment.Spec.Selector.MatchLabels.Should().BeSubsetOf(podLabels);

        if (overlay != RenderedOverlays.SingleInstance)
        {
            pod.Manifests.OfType<V1PodDisruptionBudget>().Single().Spec.Selector.MatchLabels.Should().BeSubsetOf(podLabels);
            var hpa = pod.Manifests.OfType<V2HorizontalPodAutoscaler>().Single();
            (hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name).Should().Be(("Deployment", pod.Deployment.Metadata.Name));
            hpa.Spec.MinReplicas.Should().BeGreaterThan(1, "the PDB's maxUnavailable 1 must leave a pod serving");
        }

        if (pod.Manifests.OfType<ServiceMonitor>().SingleOrDefault() is { } monitor)
        {
            var adminService = pod.Services.Single(s => monitor.Spec.Selector.MatchLabels.All(l => s.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value));
            var scraped = adminService.Spec.Ports.Single(p => p.Name == monitor.Spec.Endpoints.Single().Port);
            pod.ContainerPort(scraped.TargetPort).Should().Be(pod.AdminPort);
            monitor.Spec.Endpoints.Single().Path.Should().Be("/metrics");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void NetworkPolicy_OpensTheListenersToAll_AndAdminToTheMonitoringNamespaceOnly(string overlay)
    {
        var pod = For(overlay);
        var policy = pod.Manifests.OfType<V1NetworkPolicy>().Single();
        policy.Spec.PodSelector.MatchLabels.Should().BeSubsetOf(pod.Deployment.Spec.Template.Metadata.Labels);
        policy.Spec.PolicyTypes.Should().Contain("Ingress");

        // Which sources each container port admits: null = everyone (a rule without 'from').
        var admitted = policy.Spec.Ingress
            .SelectMany(rule => rule.Ports.Select(p => (Port: pod.ContainerPort(p.Port), rule.FromProperty)))
            .ToLookup(r => r.Port, r => r.FromProperty);

        foreach (var listener in pod.ListenerPorts)
        {
            admitted[listener].Should().Contain(from => from == null || from.Count == 0, $"partners reach port {listener} from anywhere");
        }

        var admin = admitted[pod.AdminPort].Should().ContainSingle("one rule says who reaches admin").Subject;
        admin.Should().NotBeNull().And.ContainSingle();
        var peer = admin!.Single();
        peer.IpBlock.Should().BeNull("a namespace, not an address range");
        peer.PodSelector.Should().BeNull("a namespace, not any pod");
        peer.NamespaceSelector.MatchLabels.Should().Equal(new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "monitoring" });
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Deployment_Pod_RunsNonRootReadOnlyWithResourcesAndADrainingStop(string overlay)
    {
        var pod = For(overlay);
        var spec = pod.Deployment.Spec.Template.Spec;
        var container = pod.Container;
        spec.SecurityContext.RunAsNonRoot.Should().BeTrue();
        spec.SecurityContext.RunAsUser.Should().BeGreaterThan(0);
        container.SecurityContext.ReadOnlyRootFilesystem.Should().BeTrue();
        container.SecurityContext.AllowPrivilegeEscalation.Should().BeFalse();
        container.SecurityContext.Capabilities.Drop.Should().Contain("ALL");
        container.VolumeMounts.Where(m => m.ReadOnlyProperty != true).Select(m => m.MountPath).Should().BeEquivalentTo(["/tmp"], "the only writable path");

        container.Resources.Requests.Should().ContainKeys("cpu", "memory");
        container.Resources.Limits.Should().ContainKey("memory");

        // The pod keeps serving while the balancer notices it is gone, then Kestrel drains (host ShutdownTimeout 30 s).
        var preStop = container.Lifecycle.PreStop.Sleep.Seconds;
        preStop.Should().BeGreaterThanOrEqualTo(5);
        spec.TerminationGracePeriodSeconds.Should().BeGreaterThanOrEqualTo(preStop + 30);
        pod.Deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value.Should().Be("0");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Pod_ConfigurationWithItsMountsFilledFromADevPki_ValidatesWithTheCli(string overlay)
    {
        var pod = For(overlay);
        var root = Path.Combine(Path.GetTempPath(), "mtlsgw-k8s-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var pki = Path.Combine(root, "pki");
            DevPki.Write(pki, DateTimeOffset.UtcNow);
            byte[] Read(params string[] files) => [.. files.SelectMany(f => File.ReadAllBytes(Path.Combine(pki, f)))];

            // What each mounted key holds in this test: the development PKI standing in for cert-manager and partners.
            var contents = new Dictionary<string, byte[]>
            {
                ["gateway-config/gateway.json"] = Encoding.UTF8.GetBytes(pod.ConfigMap.Data["gateway.json"]),
                ["gateway-server-tls/tls.crt"] = Read("server.crt"),
                ["gateway-server-tls/tls.key"] = Read("server.key"),
                ["gateway-server-tls/ca.crt"] = Read("partners-root.crt"),
                ["gateway-partner-trust/ca.crt"] = Read("partners-root.crt", "partners-intermediate.crt"),
                ["gateway-partner-trust/root.crl"] = Read("partners-root.crl"),
                ["gateway-partner-trust/intermediate.crl"] = Read("partners.crl"),
            };
            foreach (var mount in pod.Container.VolumeMounts.Where(m => m.ReadOnlyProperty == true))
            {
                var (source, keys) = pod.VolumeSource(mount.Name);
                WriteProjectedVolume(root + mount.MountPath, keys.ToDictionary(k => k, k => contents[$"{source}/{k}"]));
            }

            // The container's own environment (its Gateway__ overrides), with $(POD_IP) a pod address as the kubelet
            // expands it (validate binds nothing): a non-loopback admin URL that AllowRemote must permit.
            var environment = pod.Container.Env.Where(e => e.Value is not null)
                .ToDictionary(e => e.Name, e => e.Value.Replace("$(POD_IP)", "10.244.1.17", StringComparison.Ordinal));
            var result = await GatewayCli.RunAsync(environment, "validate", "--config", root + pod.ConfigArgument);

            result.ExitCode.Should().Be(0, result.Output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private KubernetesPod For(string overlay) => new(overlays[overlay]);

    /// <summary>Every file path in a configuration section: values of keys ending in File, items of keys ending in Files.</summary>
    private static IEnumerable<string> NamedFiles(IConfigurationSection section) => section.GetChildren().SelectMany(child =>
        child.Key.EndsWith("File", StringComparison.Ordinal) && child.Value is { } file ? [file]
        : child.Key.EndsWith("Files", StringComparison.Ordinal) ? child.GetChildren().Select(c => c.Value!)
        : NamedFiles(child));

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
