using k8s;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// Every way deploy/kubernetes/ is meant to be applied, rendered once per test class by the real
/// <c>kubectl kustomize</c> and parsed strictly into the Kubernetes client's models (an unknown or misspelt field
/// fails): each overlay, and the scale overlay with both optional components (cert-manager, Prometheus Operator).
/// </summary>
public sealed class RenderedOverlays : IAsyncLifetime
{
    public const string SingleInstance = "single";
    public const string Scale = "scale";
    public const string ScaleWithComponents = "scale+components";

    private static readonly string Folder = RepositoryPaths.Combine("deploy", "kubernetes");
    private readonly Dictionary<string, IReadOnlyList<object>> _rendered = [];
    private string? _componentsOverlay;

    public static TheoryData<string> All => [SingleInstance, Scale, ScaleWithComponents];

    public IReadOnlyList<object> this[string overlay] => _rendered[overlay];

    public async Task InitializeAsync()
    {
        _rendered[SingleInstance] = await RenderAsync(Path.Combine(Folder, "overlays", SingleInstance));
        _rendered[Scale] = await RenderAsync(Path.Combine(Folder, "overlays", Scale));

        // What a user writes to take the components: an overlay of their own next to (here: outside) the repository.
        _componentsOverlay = Directory.CreateTempSubdirectory("mtlsgw-kustomize-").FullName;
        string Relative(params string[] parts) => Path.GetRelativePath(_componentsOverlay, Path.Combine([Folder, .. parts]));
        await File.WriteAllTextAsync(Path.Combine(_componentsOverlay, "kustomization.yaml"), $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources: [ {Relative("overlays", Scale)} ]
            components: [ {Relative("components", "cert-manager")}, {Relative("components", "prometheus-operator")} ]
            """);
        _rendered[ScaleWithComponents] = await RenderAsync(_componentsOverlay);
    }

    public Task DisposeAsync()
    {
        if (_componentsOverlay is not null)
        {
            Directory.Delete(_componentsOverlay, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static async Task<IReadOnlyList<object>> RenderAsync(string directory)
    {
        var result = await ProcessRunner.RunAsync("kubectl", ["kustomize", directory], TimeSpan.FromSeconds(60));
        result.ExitCode.Should().Be(0, $"kubectl kustomize {directory}: {result.Output}");
        var crds = new Dictionary<string, Type>
        {
            [ServiceMonitor.TypeKey] = typeof(ServiceMonitor),
            [CertManagerCertificate.TypeKey] = typeof(CertManagerCertificate),
            [PrometheusRule.TypeKey] = typeof(PrometheusRule),
        };
        return KubernetesYaml.LoadAllFromString(result.StandardOutput, crds, strict: true);
    }
}
