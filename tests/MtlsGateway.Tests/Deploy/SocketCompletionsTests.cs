using MtlsGateway.Hosting;
using MtlsGateway.Tests.Hardening;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Deploy;

/// <summary>
/// The real binary turns inline socket completions on by itself and leaves an operator's explicit choice alone. Seen
/// from outside through the runtime's event threads (what <c>top -H</c> shows): with inline completions the runtime
/// runs one ".NET Sockets" thread per CPU the process may use, otherwise one for up to 44 CPUs.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SocketCompletionsTests
{
    [Fact]
    public async Task RealBinary_InlineUnlessTheOperatorSetTheVariable()
    {
        using var folder = new ConfigFolder();

        var byDefault = await SocketThreadsAsync(folder, value: null);
        var optedOut = await SocketThreadsAsync(folder, value: "0");

        optedOut.Should().Be(1, "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 keeps the runtime's thread-pool dispatch");
        // One CPU gives one event thread either way; the test runs wherever the suite runs, CI has two.
        byDefault.Should().Be(Environment.ProcessorCount, "unset, the gateway sets it to 1: one event thread per CPU");
    }

    private static async Task<int> SocketThreadsAsync(ConfigFolder folder, string? value)
    {
        await using var gateway = GatewayInstance.Start("sockets-" + (value ?? "default"), folder.ConfigPath,
            new Dictionary<string, string?> { [SocketCompletions.InlineVariable] = value });
        await gateway.WaitReadyAsync(TimeSpan.FromSeconds(30));
        var pid = ProcessResources.FindByArgument(folder.ConfigPath);
        return Directory.EnumerateDirectories($"/proc/{pid}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == ".NET Sockets");
    }
}
