using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Http;

/// <summary>application/problem+json responses with a message a person can act on.</summary>
public static class ApiProblems
{
    public static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Invalid request", detail);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static IResult PayloadTooLarge(string detail) => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail);

    public static IResult UnsupportedMediaType(string detail) => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail);

    public static IResult ServiceUnavailable(string detail) => Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);
    public static IResult TooManyRequests(string detail) => Problem(StatusCodes.Status429TooManyRequests, "Too many requests", detail);

    public static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);
}

/// <summary>An input that cannot be accepted; endpoints turn it into a 400 problem.</summary>
public sealed class RequestValidationException(string message) : Exception(message);
