namespace MtlsGateway.Tests.Support;

/// <summary>Runs the real <c>mtls-gateway</c> program (the built assembly) as a user would, with a time limit.</summary>
internal static class GatewayCli
{
    public static Task<ProcessRunner.Result> RunAsync(params string[] arguments) =>
        RunAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Runs it with <paramref name="environment"/> added to this process's environment.</summary>
    public static Task<ProcessRunner.Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "mtls-gateway.dll"), .. arguments], TimeSpan.FromSeconds(60), environment: environment);
}
