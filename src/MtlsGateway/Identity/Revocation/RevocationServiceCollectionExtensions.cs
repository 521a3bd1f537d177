using Microsoft.Extensions.DependencyInjection;

namespace MtlsGateway.Identity.Revocation;

/// <summary>Registers the verdict cache over a verifier that fetches CRLs for <c>Revocation: Online</c> (their refresh,
/// <see cref="Loading.CrlRefreshService"/>, follows the configuration in force and is registered with it).</summary>
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
        return services;
    }
}
