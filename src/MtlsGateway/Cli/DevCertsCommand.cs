using System.CommandLine;
using MtlsGateway.Pki;

namespace MtlsGateway.Cli;

/// <summary><c>dev-certs</c>: writes the development PKI (never for production).</summary>
public static class DevCertsCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o")
        {
            Description = "Folder to write into (default certs-dev).",
            DefaultValueFactory = _ => "certs-dev",
        };
        var command = new Command("dev-certs", "Write a development PKI: roots, an intermediate, server certificates and partner client certificates (good, expired, not yet valid, revoked with a CRL, wrong CA, no clientAuth, SPIFFE).") { output };
        command.SetAction(result =>
        {
            var folder = result.GetValue(output)!;
            var written = DevPki.Write(folder, DateTimeOffset.UtcNow);
            foreach (var file in written)
            {
                Console.WriteLine(file);
            }

            Console.WriteLine($"Wrote {written.Count} files to {Path.GetFullPath(folder)}. Development use only.");
            return GatewayCommandLine.Ok;
        });
        return command;
    }
}
