using ExternalAction.Api.Authentication;
using ExternalAction.Api.Errors;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using ExternalAction.ServiceDefaults.Messaging;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExternalAction.Api.Status;

/// <summary><c>GET /status</c>: 200 <c>healthy</c> while the service can take work (the broker is reachable), 503 otherwise.</summary>
public static class StatusApi
{
    public static RouteGroupBuilder MapStatus(this RouteGroupBuilder platform)
    {
        platform.MapGet("/status", Get).RequireAuthorization(CallerAuthentication.PolicyName);
        return platform;
    }

    public static async Task<Results<JsonHttpResult<StatusResponse>, JsonHttpResult<ErrorResponse>>> Get(
        HealthCheckService health, TimeProvider clock, CancellationToken ct)
    {
        // Only the broker decides: a database outage delays status rows but does not stop intake.
        var report = await health.CheckHealthAsync(c => c.Tags.Contains("masstransit") || c.Tags.Contains(BrokerReachability.Tag), ct);
        if (report.Status == HealthStatus.Unhealthy)
            return ContractErrors.Result(StatusCodes.Status503ServiceUnavailable, ContractErrors.Create(
                ErrorCodes.InternalError, "The message broker is unreachable; requests cannot be accepted.", nestedCode: ErrorCodes.ServiceUnavailable));
        return TypedResults.Json(new StatusResponse(clock.GetUtcNow()), ContractJson.Options);
    }
}
