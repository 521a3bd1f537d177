using System.CommandLine;
using MtlsGateway.Demo;

namespace MtlsGateway.Cli;

/// <summary><c>demo-backend</c>: runs only the development echo backend (the compose file's backend service).</summary>
public static class DemoBackendCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Where to listen.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var command = new Command("demo-backend", "Run the development echo backend alone: it answers every request with the method, path and headers it received.") { url };
        command.SetAction(async (result, token) =>
        {
            await using var app = DemoBackendService.CreateEchoServer(result.GetValue(url)!);
            await app.RunAsync(token);
            return GatewayCommandLine.Ok;
        });
        return command;
    }
}
