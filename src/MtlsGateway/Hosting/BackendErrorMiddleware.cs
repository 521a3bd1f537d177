using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MtlsGateway.Diagnostics;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace MtlsGateway.Hosting;

/// <summary>Turns a failed forward (backend down, reset, timed out) into problem+json 502/504 instead of YARP's empty body.</summary>
public sealed class BackendErrorMiddleware(RequestDelegate next, ILogger<BackendErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await next(context);
        var error = context.GetForwarderErrorFeature();
        if (error is null)
        {
            return;
        }

        var status = context.Response.StatusCode is StatusCodes.Status504GatewayTimeout
            ? StatusCodes.Status504GatewayTimeout
            : StatusCodes.Status502BadGateway;
        var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId;
        logger.BackendFailed(route, error.Error.ToString(), status, error.Exception?.Message);
        if (!context.Response.HasStarted)
        {
            await ProblemResponse.WriteAsync(context, status, status == StatusCodes.Status504GatewayTimeout ? "Gateway Timeout" : "Bad Gateway",
                reason: error.Error.ToString(), "The backend could not be reached or did not answer.");
        }
    }
}
