using System.Numerics;
using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Configuration;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// Files that are not what they seem (issue 20): a FIFO, <c>/dev/zero</c> or a runaway file where the configuration
/// expects a certificate, CRL or the config file itself. <c>validate</c> and <c>run</c> answer with an error at the
/// config path and exit 1 at once; before, a FIFO hung them with no output and <c>/dev/zero</c> ran them out of
/// memory. Each load is bounded, so a regression fails instead of hanging the suite.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SpecialFileTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Validate_FifoAsCrlFile_ErrorAtItsPathAndExit1()
    {
        using var folder = new ConfigFolder();
        File.Delete(folder.Pki("partners.crl"));
        await MakeFifoAsync(folder.Pki("partners.crl"));

        var result = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1, result.Output);
        result.StandardOutput.Should().Contain("Gateway:TrustStores:partners:CrlFiles:0: 'pki/partners.crl' is a FIFO (named pipe), not a regular file");
    }

    [Fact]
    public async Task Run_FifoAsCrlFile_DoesNotStartAndExit1()
    {
        using var folder = new ConfigFolder();
        File.Delete(folder.Pki("partners.crl"));
        await MakeFifoAsync(folder.Pki("partners.crl"));

        var result = await GatewayCli.RunAsync("run", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1, result.Output);
        result.StandardError.Should().Contain("'pki/partners.crl' is a FIFO (named pipe)").And.Contain("The gateway did not start");
    }

    [Fact]
    public async Task Validate_FifoInCrlFolder_ErrorNamesTheEntryAndExit1()
    {
        using var folder = new ConfigFolder(CrlFolder);
        await MakeFifoAsync(Path.Combine(folder.Path, "crls", "late.crl"));

        var result = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1, result.Output);
        result.StandardOutput.Should().Contain("Gateway:TrustStores:partners:CrlFiles:0: 'crls/late.crl' is a FIFO (named pipe)");
    }

    [Fact]
    public async Task ValidateAndRun_FifoAsConfigFile_ClearErrorAndExit1()
    {
        using var folder = new ConfigFolder();
        var fifo = Path.Combine(folder.Path, "gateway.fifo");
        await MakeFifoAsync(fifo);

        var validate = await GatewayCli.RunAsync("validate", "--config", fifo);
        var run = await GatewayCli.RunAsync("run", "--config", fifo);

        validate.ExitCode.Should().Be(1, validate.Output);
        validate.StandardOutput.Should().Contain("configuration file is a FIFO (named pipe), not a regular file");
        run.ExitCode.Should().Be(1, run.Output);
        run.StandardError.Should().Contain("configuration file is a FIFO (named pipe)").And.Contain("The gateway did not start");
    }

    [Fact]
    public async Task Load_DevZeroAsConfigFile_IsAnErrorNotAnOutOfMemory()
    {
        var configuration = await Bounded(() => GatewayConfigurationSource.TryBuild("/dev/zero", null, out var error) is null ? error : null);

        configuration.Should().NotBeNull();
        configuration!.Message.Should().Contain("configuration file is a character device, not a regular file");
    }

    [Fact]
    public async Task Load_ConfigFileLargerThanItsCap_IsRefusedWithTheCap()
    {
        using var folder = new ConfigFolder();
        var config = await File.ReadAllTextAsync(folder.ConfigPath);
        // Valid JSON, padded past 16 MiB: the cap, not the parser, refuses it.
        await File.WriteAllTextAsync(folder.ConfigPath, config + new string(' ', (int)FileLimit.Config.MaxBytes));

        var error = await Bounded(() => GatewayConfigurationSource.TryBuild(folder.ConfigPath, null, out var e) is null ? e : null);

        error.Should().NotBeNull();
        error!.Message.Should().Contain("configuration file is larger than 16 MiB (the cap for the config file)");
    }

    [Fact]
    public async Task Validate_DevZeroNamedAsCrlInFolder_IsRefused()
    {
        using var folder = new ConfigFolder(CrlFolder);
        File.CreateSymbolicLink(Path.Combine(folder.Path, "crls", "zero.crl"), "/dev/zero");

        var result = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1, result.Output);
        result.StandardOutput.Should().Contain("Gateway:TrustStores:partners:CrlFiles:0: 'crls/zero.crl' is a character device, not a regular file");
    }

    [Fact]
    public async Task Validate_DevZeroAsReadmeInCrlFolder_IsIgnored()
    {
        using var folder = new ConfigFolder(CrlFolder);
        File.CreateSymbolicLink(Path.Combine(folder.Path, "crls", "README.txt"), "/dev/zero");

        var result = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain(": valid (");
    }

    [Fact]
    public async Task Load_CrlLargerThanMaxCrlSize_IsRefusedWithTheCap()
    {
        using var folder = new ConfigFolder((config, _) => config["Gateway"]!["TrustStores"]!["partners"]!["MaxCrlSize"] = 4096);
        using var intermediate = TestPkiDirectory.Load(folder.Pki(""), "partners-intermediate");
        var now = DateTimeOffset.UtcNow;
        var serials = Enumerable.Range(1, 300).Select(i => new byte[] { 0x01, (byte)(i >> 8), (byte)i }).ToList();
        var large = CertificateAuthority.CreateCrl(intermediate, serials, now.AddMinutes(-5), now.AddDays(1), new BigInteger(2));
        await File.WriteAllTextAsync(folder.Pki("partners.crl"), CertificateAuthority.CrlToPem(large));

        var result = await Bounded(() => ValidateCommand.Load(folder.ConfigPath, TimeProvider.System));

        large.Length.Should().BeGreaterThan(4096, "the CRL must exceed the cap for this test to mean anything");
        result.Errors.Should().ContainSingle(e => e.Path == "Gateway:TrustStores:partners:CrlFiles:0")
            .Which.Message.Should().StartWith("'pki/partners.crl' is larger than 4096 bytes (MaxCrlSize); raise Gateway:TrustStores:partners:MaxCrlSize if the CA's CRLs really are that large (gateway.json line 1, column ");
    }

    [Fact]
    public void Load_MaxCrlSizeOutOfRange_IsAnErrorAtItsPath()
    {
        using var folder = new ConfigFolder((config, _) => config["Gateway"]!["TrustStores"]!["partners"]!["MaxCrlSize"] = 0);

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Should().ContainSingle(e => e.Path == "Gateway:TrustStores:partners:MaxCrlSize")
            .Which.Message.Should().StartWith("must be between 1024 and 1073741824 (is 0)");
    }

    /// <summary>CrlFiles names a folder <c>crls/</c> holding both dev CRLs.</summary>
    private static void CrlFolder(JsonObject config, string directory)
    {
        var crls = Path.Combine(directory, "crls");
        Directory.CreateDirectory(crls);
        File.Copy(Path.Combine(directory, "pki", "partners.crl"), Path.Combine(crls, "partners.crl"));
        File.Copy(Path.Combine(directory, "pki", "partners-root.crl"), Path.Combine(crls, "partners-root.crl"));
        config["Gateway"]!["TrustStores"]!["partners"]!["CrlFiles"] = new JsonArray("crls");
    }

    internal static async Task MakeFifoAsync(string path)
    {
        var made = await ProcessRunner.RunAsync("mkfifo", [path], TimeSpan.FromSeconds(10));
        made.ExitCode.Should().Be(0, made.Output);
    }

    /// <summary>Runs a load on its own thread and fails the test if it has not returned in time (a FIFO hang).</summary>
    private static Task<T> Bounded<T>(Func<T> load) => Task.Run(load).WaitAsync(Bound);
}
