using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Configuration;
using MtlsGateway.Hosting;
using MtlsGateway.Proxying;
using MtlsGateway.Runtime;

namespace MtlsGateway.Cli;

/// <summary><c>run</c>: starts the gateway, or refuses with every configuration error.</summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(string configPath, CancellationToken cancellationToken)
    {
        GatewaySnapshot? snapshot = null;
        try
        {
            await using var app = GatewayApplication.Build(new GatewayRunOptions { ConfigPath = configPath });
            snapshot = app.Services.GetService<GatewayState>()?.Current; // RunAsync disposes the services when start fails
            await app.RunAsync(cancellationToken);
            return GatewayCommandLine.Ok;
        }
        catch (ConfigInvalidException ex)
        {
            ValidateCommand.PrintErrors(configPath, ex.Errors, Console.Error);
            await Console.Error.WriteLineAsync("The gateway did not start. Fix the errors above (`mtls-gateway validate` checks without starting).");
            return GatewayCommandLine.Refused;
        }
        catch (InvalidOperationException ex) when (ex.InnerException is { } inner && ex.Message.StartsWith("Unable to load or apply the proxy configuration", StringComparison.Ordinal))
        {
            // YARP's own start-up check: the loader ran YARP's validation already, so this is a gap in it; still no stack trace.
            ValidateCommand.PrintErrors(configPath, ProxyConfigValidation.FromApplyFailure(inner), Console.Error);
            await Console.Error.WriteLineAsync("The gateway did not start. Fix the errors above (`mtls-gateway validate` checks without starting).");
            return GatewayCommandLine.Refused;
        }
        catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"The gateway did not start: {ex.Message} Another process holds {Holder(snapshot, ex.Message)}, or stop the other process.");
            return GatewayCommandLine.Refused;
        }
    }

    /// <summary>The configuration key whose port Kestrel could not bind, named from the bind error's text.</summary>
    private static string Holder(GatewaySnapshot? snapshot, string message)
    {
        if (snapshot is not null)
        {
            bool Names(ListenerEndpoint endpoint) => System.Text.RegularExpressions.Regex.IsMatch(message, $@":{endpoint.EndPoint.Port}(?!\d)");
            if (snapshot.Admin is { } admin && Names(admin))
            {
                return $"the admin endpoint's port {admin.EndPoint.Port}; change Gateway:Admin:Url";
            }

            if (snapshot.Listeners.FirstOrDefault(Names) is { } listener)
            {
                return $"listener '{listener.Name}''s port {listener.EndPoint.Port}; change Gateway:Listeners:{listener.Name}:Url";
            }
        }

        return "a port the gateway listens on; change the Url in Gateway:Listeners or Gateway:Admin";
    }
}
