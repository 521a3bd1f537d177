using Microsoft.AspNetCore.Builder;

namespace MtlsGateway.Configuration;

/// <summary>
/// How every web host the gateway starts (the gateway itself, the demo backend) is created. ASP.NET Core's default
/// host loads <c>appsettings.json</c> with reload on change, which puts a recursive <c>FileSystemWatcher</c> on the
/// content root and keeps it for the life of the process even after the gateway drops those sources: every write
/// anywhere under the config file's directory (a log file kept beside it, another program's files) then wakes a
/// thread of the gateway. Measured in bench/: ~0.13 of a core for an idle gateway whose directory held a busy access
/// log. The gateway reads its own files by polling (<see cref="ReloadOptions"/>), so the host's watch is turned off.
/// </summary>
public static class HostConfiguration
{
    /// <summary>The host setting that stops the default configuration files from being watched.</summary>
    public const string NoReloadOnChange = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>Options for <c>WebApplication.CreateSlimBuilder</c>: no file watch; <paramref name="contentRoot"/> as given.</summary>
    public static WebApplicationOptions Options(string? contentRoot = null) => new()
    {
        Args = [NoReloadOnChange],
        ContentRootPath = contentRoot,
    };
}
