using MtlsGateway.Cli;
using MtlsGateway.Hosting;

ThreadPoolSpinning.DefaultToNone();
SocketCompletions.DefaultToInline();
MallocArenas.DefaultToOnePerCpu();
return await GatewayCommandLine.InvokeAsync(args, Console.Error);
