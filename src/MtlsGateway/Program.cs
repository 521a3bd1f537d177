using MtlsGateway.Cli;
using MtlsGateway.Hosting;

SocketCompletions.DefaultToInline();
MallocArenas.DefaultToOnePerCpu();
return await GatewayCommandLine.InvokeAsync(args, Console.Error);
