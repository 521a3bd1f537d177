using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MtlsGateway.Diagnostics;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace MtlsGateway.Proxying;

/// <summary>Turns a failed forward (backend down, reset, timed out) into problem+json 502/504 instead of YARP's empty
/// body. A request body the client got wrong (over <c>MaxRequestBodySize</c>, below <c>MinRequestBodyDataRate</c>) is the
/// client's fault: it keeps Kestrel's 4xx (413, 408, 400) and is not reported as a backend failure.</summary>
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

        if (error.Error is ForwarderError.RequestBodyClient)
        {
            var clientStatus = FindBadRequest(error.Exception)?.StatusCode ?? StatusCodes.Status400BadRequest;
            if (!context.Response.HasStarted)
            {
                await ProblemResponse.WriteAsync(context, clientStatus, ReasonTitle(clientStatus), reason: error.Error.ToString(),
                    "The request body was refused before it reached the backend (too large, too slow or malformed).");
            }

            return;
        }

        // A route's Timeout cancels the request as YARP forwards it, which YARP reports as RequestCanceled (502): the
        // client did not go away, the route's time ran out, so it is the same 504 RequestTimedOut as a silent backend.
        var routeTimedOut = error.Error is ForwarderError.RequestCanceled
            && context.Features.Get<Microsoft.AspNetCore.Http.Timeouts.IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
        if (routeTimedOut)
        {
            // RequestAborted is the timeout's token here, already cancelled: the answer would be aborted with it. The
            // request timeouts middleware puts the connection's own token back once this returns.
            context.RequestAborted = CancellationToken.None;
        }

        var status = routeTimedOut || context.Response.StatusCode is StatusCodes.Status504GatewayTimeout
            ? StatusCodes.Status504GatewayTimeout
            : StatusCodes.Status502BadGateway;
        var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId;
        var reason = routeTimedOut ? nameof(ForwarderError.RequestTimedOut) : error.Error.ToString();
        logger.BackendFailed(route, reason, status, error.Exception?.Message, context.TraceIdentifier);
        if (!context.Response.HasStarted)
        {
            await ProblemResponse.WriteAsync(context, status, status == StatusCodes.Status504GatewayTimeout ? "Gateway Timeout" : "Bad Gateway",
                reason, "The backend could not be reached or did not answer.");
        }
    }

    private static BadHttpRequestException? FindBadRequest(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException bad)
            {
                return bad;
            }
        }

        return null;
    }

    private static string ReasonTitle(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Content Too Large",
        StatusCodes.Status408RequestTimeout => "Request Timeout",
        _ => "Bad Request",
    };
}
