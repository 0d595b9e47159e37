using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Agor.Daemon.Api;

/// <summary>RFC 9457 problem details with the right status, as every error of the API.</summary>
internal static class Problems
{
    public static IResult BadRequest(string field, string problem) =>
        Result(StatusCodes.Status400BadRequest, "Invalid request", $"'{field}' {problem}", field);

    public static IResult BadBody(string detail) => Result(StatusCodes.Status400BadRequest, "Invalid request body", detail);

    public static IResult NotFound(string what, string id) => Result(StatusCodes.Status404NotFound, "Not found", $"No {what} with id '{id}'.");

    public static IResult Conflict(string detail) => Result(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult Forbidden(string detail) => Result(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static IResult TooLarge(string detail) => Result(StatusCodes.Status413PayloadTooLarge, "Request body too large", detail);

    public static IResult Unavailable(string detail) => Result(StatusCodes.Status503ServiceUnavailable, "Unavailable", detail);

    public static IResult Unauthorized() =>
        Result(StatusCodes.Status401Unauthorized, "Unauthorized", "Send 'Authorization: Bearer <token>' with the contents of $AGOR_HOME/api-token.");

    private static IResult Result(int status, string title, string detail, string? field = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return Results.Json(problem, ApiJsonContext.Default.ProblemDetails, "application/problem+json", status);
    }
}
