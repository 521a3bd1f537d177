using Microsoft.Extensions.DependencyInjection;

namespace MtlsGateway.Identity.Revocation;

/// <summary>Registers the verdict cache over a verifier that fetches CRLs for <c>Revocation: Online</c>, and their refresh.</summary>
internal static class RevocationServiceCollectionExtensions
{
    public static IServiceCollection AddOnlineRevocation(this IServiceCollection services)
    {
        services.AddSingleton<FetchedCrls>();
        services.AddSingleton(sp =>
        {
            var fetched = sp.GetRequiredService<FetchedCrls>();
            return new VerificationCache(new CertificateVerifier(fetched), sp.GetRequiredService<TimeProvider>(), fetched: fetched);
        });
        services.AddHostedService<CrlRefreshService>();
        return services;
    }
}
