using MtlsGateway.Cli;

return await GatewayCommandLine.Create().Parse(args).InvokeAsync();
