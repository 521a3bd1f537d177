namespace MtlsGateway.Configuration;

/// <summary><c>Gateway:Reload</c>: how the gateway follows changes to its files.</summary>
public sealed class ReloadOptions
{
    /// <summary>Watch the config file and every file it names, and apply valid changes without a restart.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the files are compared with what is loaded. Polling follows symlink swaps (Kubernetes
    /// ConfigMaps and Secrets) and rename-writes that file events miss.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
