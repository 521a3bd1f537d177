using MtlsGateway.Hosting;

namespace MtlsGateway.Cli;

/// <summary><c>run</c>: starts the gateway, or refuses with every configuration error.</summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(string configPath, CancellationToken cancellationToken)
    {
        try
        {
            await using var app = GatewayApplication.Build(new GatewayRunOptions { ConfigPath = configPath });
            await app.RunAsync(cancellationToken);
            return GatewayCommandLine.Ok;
        }
        catch (ConfigInvalidException ex)
        {
            ValidateCommand.PrintErrors(configPath, ex.Errors, Console.Error);
            await Console.Error.WriteLineAsync("The gateway did not start. Fix the errors above (`mtls-gateway validate` checks without starting).");
            return GatewayCommandLine.Refused;
        }
        catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"The gateway did not start: {ex.Message} Another process holds a listener's port; change Gateway:Listeners or stop it.");
            return GatewayCommandLine.Refused;
        }
    }
}
