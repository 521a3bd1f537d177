using Microsoft.Extensions.Hosting;
using MtlsGateway.Configuration;
using MtlsGateway.Identity.Revocation;
using MtlsGateway.Runtime;

namespace MtlsGateway.Loading;

/// <summary>
/// Refreshes fetched CRLs before their nextUpdate (<see cref="FetchedCrls.RefreshAt"/>) and retries failed points with
/// back-off, on the gateway's <see cref="TimeProvider"/>. A refresh never holds a handshake: the held list serves
/// until it is replaced or its nextUpdate + ClockSkew passes.
/// </summary>
internal sealed class CrlRefreshService(FetchedCrls crls, GatewayState state, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = crls.Changed;
            await crls.RefreshDueAsync(IsOnline, stoppingToken);
            var now = time.GetUtcNow();
            var next = crls.NextDueAt() is { } due && due < now + FetchedCrls.MaximumInterval ? due : now + FetchedCrls.MaximumInterval;
            if (next <= now)
            {
                continue;
            }

            using var woken = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(next - now, time, woken.Token);
            if (time.GetUtcNow() < next) // the clock may have moved on since: then the timer would fire late
            {
                await Task.WhenAny(delay, changed.WaitAsync(stoppingToken));
            }

            await woken.CancelAsync();
        }
    }

    private bool IsOnline(string trustStore) =>
        state.IsLoaded && state.Current.TrustStores.TryGetValue(trustStore, out var store) && store.Revocation == RevocationCheck.Online;
}
