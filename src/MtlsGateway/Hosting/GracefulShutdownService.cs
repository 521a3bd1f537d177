using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Runtime;

namespace MtlsGateway.Hosting;

/// <summary>
/// Orders a graceful stop (<c>Gateway:Shutdown</c>). The host runs every <see cref="IHostedLifecycleService.StoppingAsync"/>
/// before any hosted service's <c>StopAsync</c>, and Kestrel closes its listeners in its <c>StopAsync</c>: so here
/// <c>/readyz</c> turns 503 first, the listeners keep accepting for the pre-stop delay (a balancer polling
/// <c>/readyz</c> notices and stops sending), and only then does Kestrel stop accepting and drain what is in flight.
/// The host's shutdown timeout (pre-stop delay + drain) bounds the whole; what is still open then is aborted.
/// </summary>
internal sealed class GracefulShutdownService(GatewayState state, ShutdownOptions options, TimeProvider time, ILogger<GracefulShutdownService> logger)
    : IHostedLifecycleService
{
    private long? _stoppingAt;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping clears it too; whichever runs first, /readyz is 503 before the delay starts.
        state.ListenersReady = false;
        _stoppingAt = time.GetTimestamp();
        logger.ShutdownStarted(options.PreStopDelay, options.DrainTimeout);
        if (options.PreStopDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(options.PreStopDelay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown budget ran out: stop accepting now.
            }
        }

        logger.ListenersClosing(options.DrainTimeout);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_stoppingAt is { } started)
        {
            var seconds = time.GetElapsedTime(started).TotalSeconds;
            logger.ShutdownCompleted(seconds);
        }

        return Task.CompletedTask;
    }
}
