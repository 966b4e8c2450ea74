using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Http;

/// <summary>
/// Which roles a route admits: endpoint metadata the runner's OpenAPI document shows (description and
/// <c>x-required-roles</c>). The endpoint classes enforce the same arrays.
/// </summary>
public sealed record RequiredRoles(IReadOnlyList<string> Roles, string? Note = null);

/// <summary>
/// A query-string parameter a route reads through <see cref="QueryReader"/>, as endpoint metadata for the OpenAPI
/// document (the handlers take the raw request, so the framework cannot infer these).
/// </summary>
public sealed record QueryParameter(string Name, string Description)
{
    /// <summary>JSON schema type: string or integer.</summary>
    public string Type { get; init; } = "string";

    /// <summary>JSON schema format, e.g. date-time or duration.</summary>
    public string? Format { get; init; }

    public IReadOnlyList<string>? Values { get; init; }

    public int? Minimum { get; init; }

    public int? Maximum { get; init; }

    public static QueryParameter Text(string name, string description) => new(name, description);

    public static QueryParameter OneOf(string name, string description, params string[] values) => new(name, description) { Values = values };

    public static QueryParameter Time(string name, string description) =>
        new(name, description + " ISO 8601 with a zone (2026-11-24T08:15:00Z) or the upload contract's 20261124T081500Z.") { Format = "date-time" };

    public static QueryParameter Number(string name, string description, int minimum, int maximum) =>
        new(name, description) { Type = "integer", Minimum = minimum, Maximum = maximum };

    public static QueryParameter PageSize(int defaultSize = 100, int maximum = 1000) =>
        Number("pageSize", $"Items per page (default {defaultSize}).", 1, maximum);

    public static QueryParameter ContinuationToken { get; } = Text("continuationToken",
        "The continuationToken of the previous page of this listing, with the same filters. Another listing's token, " +
        "or one with other filters, is a 400.");
}

/// <summary>An optional request header a route reads, as endpoint metadata for the OpenAPI document.</summary>
public sealed record HeaderParameter(string Name, string Description, int MaxLength);

/// <summary>
/// A route that answers 202 Accepted with an operation whose address is in <c>Location</c>: the runner's OpenAPI
/// document describes the header.
/// </summary>
public sealed record AcceptedOperation(string LocationTemplate);

public static class ApiMetadataExtensions
{
    public static RouteHandlerBuilder WithHeader(this RouteHandlerBuilder builder, HeaderParameter header) =>
        builder.WithMetadata(header);

    /// <summary>202 Accepted with the operation (<c>OperationView</c>) and its address in <c>Location</c>.</summary>
    public static RouteHandlerBuilder ProducesOperation(this RouteHandlerBuilder builder) =>
        builder.Produces<MediaRetention.Api.Operations.OperationView>(StatusCodes.Status202Accepted)
            .WithMetadata(new AcceptedOperation("/" + ApiRoutes.Operation));

    public static RouteHandlerBuilder RequireRoles(this RouteHandlerBuilder builder, IReadOnlyList<string> roles, string? note = null) =>
        builder.WithMetadata(new RequiredRoles(roles, note));

    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder builder, params QueryParameter[] parameters) =>
        builder.WithMetadata([.. parameters]);

    /// <summary>The application/problem+json responses a route can give.</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var status in statusCodes)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>Every API route can refuse: no or unknown credentials (401), a role that may not (403), too many failures (429).</summary>
    public static RouteHandlerBuilder ProducesAccessProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests);
}
