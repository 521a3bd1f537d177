using MtlsGateway.Cli;
using MtlsGateway.Hosting;

SocketCompletions.DefaultToInline();
return await GatewayCommandLine.Create().Parse(args).InvokeAsync();
