using Microsoft.Extensions.Configuration;

namespace MtlsGateway.Configuration;

/// <summary>
/// The application's configuration: the values of the last configuration that validated, nothing else. YARP and
/// every other reader of <see cref="IConfiguration"/> see a reload only when the reload service swaps in a new set,
/// so an invalid edit never reaches them.
/// </summary>
public sealed class SnapshotConfigurationProvider : ConfigurationProvider, IConfigurationSource
{
    public SnapshotConfigurationProvider(IConfiguration initial) => Data = Flatten(initial);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>Replaces every value and signals a reload to the configuration's listeners.</summary>
    public void Replace(IConfiguration configuration)
    {
        Data = Flatten(configuration);
        OnReload();
    }

    private static Dictionary<string, string?> Flatten(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
