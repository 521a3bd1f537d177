using MtlsGateway.Cli;
using MtlsGateway.Hosting;

SocketCompletions.DefaultToInline();
return await GatewayCommandLine.InvokeAsync(args, Console.Error);
