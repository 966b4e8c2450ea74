using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MediaRetention.Runner.OpenApi;

/// <summary>
/// The API's OpenAPI document at <c>/openapi/v1.json</c>, made from the routes' own metadata (ApiRoutes): summaries,
/// bodies, problem responses, query parameters and the roles each route admits (in the description and as
/// <c>x-required-roles</c>). The same document describes the Functions app, which serves the same routes behind
/// App Service Authentication (Entra ID); its HTTP functions are anonymous to the Functions host, since a browser
/// cannot hold a function key.
/// </summary>
public static class ApiDocument
{
    public const string Name = "v1";
    public const string Path = "/openapi/v1.json";
    public const string RolesExtension = "x-required-roles";
    public const string ApiKeyScheme = "ApiKey";
    public const string EntraIdScheme = "EntraId";

    public static IServiceCollection AddApiDocument(this IServiceCollection services)
    {
        // The API writes numbers as numbers and reads request bodies itself (strictly, see JsonBody); without this the
        // document would describe every number as "integer or string", the web defaults for reading.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(Name, options =>
        {
            // The API and the health probe; nothing else a host may serve (a web console, say).
            options.ShouldInclude = description =>
                description.RelativePath is { } path && (path.StartsWith("api/", StringComparison.Ordinal) || path == HealthPath);
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                AddQueryParameters(operation, metadata.OfType<QueryParameter>());
                foreach (var header in metadata.OfType<HeaderParameter>())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = header.Name,
                        In = ParameterLocation.Header,
                        Description = header.Description,
                        Required = false,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = header.MaxLength },
                    });
                }

                if (metadata.OfType<RequiredRoles>().LastOrDefault() is { } roles)
                {
                    DescribeRoles(operation, roles);
                }

                if (metadata.OfType<AcceptedOperation>().LastOrDefault() is { } accepted)
                {
                    DescribeAccepted(operation, accepted);
                }

                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // Request bodies refuse unknown members (a 400 naming them); say so in their schemas.
                if (IsRequestBody(context.JsonTypeInfo.Type))
                {
                    schema.AdditionalPropertiesAllowed = false;
                }

                return Task.CompletedTask;
            });
            options.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document);
                return Task.CompletedTask;
            });
        });
        return services;
    }

    private static bool IsRequestBody(Type type) =>
        type.Assembly == typeof(RequiredRoles).Assembly && type.Name.EndsWith("Request", StringComparison.Ordinal);

    private static string HealthPath => Health.HealthEndpoint.Path.TrimStart('/');

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "MediaRetention API",
            Version = Name,
            Description =
                "Legal holds, evidence handover, retention, data-subject requests and the audit log of MediaRetention. Every route is served by the " +
                "self-hosted runner (API key in X-Api-Key) and by the Azure Functions app (Entra ID bearer token through App " +
                "Service Authentication). Errors are application/problem+json with a `detail` that " +
                "names the field to fix. A client with too many failed authentications gets 429 with Retry-After.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticator.HeaderName,
            Description = "The runner: an API key of role security, police (with an agency) or admin. `Authorization: ApiKey <key>` works too.",
        };
        document.Components.SecuritySchemes[EntraIdScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The Functions app: an Entra ID token; app roles security, admin and police.{agency}.",
        };

        foreach (var operation in (document.Paths ?? []).Values.SelectMany(p => p.Operations ?? []).Select(o => o.Value))
        {
            if (operation.Extensions?.TryGetValue(RolesExtension, out var roles) == true && roles is JsonNodeExtension { Node: JsonArray { Count: > 0 } })
            {
                operation.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] },
                    new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(EntraIdScheme, document)] = [],
                    },
                ];
            }
        }
    }

    /// <summary>The 202's Location (the operation to poll) and Retry-After headers.</summary>
    private static void DescribeAccepted(OpenApiOperation operation, AcceptedOperation accepted)
    {
        if (operation.Responses?.TryGetValue("202", out var response) != true || response is not OpenApiResponse accepted202)
        {
            return;
        }

        accepted202.Description = "Accepted: the work runs in the background. Poll the operation in Location until its status is succeeded or failed.";
        accepted202.Headers ??= new Dictionary<string, IOpenApiHeader>();
        accepted202.Headers["Location"] = new OpenApiHeader
        {
            Description = $"The operation to poll: {accepted.LocationTemplate} (GET).",
            Required = true,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
        };
        accepted202.Headers["Retry-After"] = new OpenApiHeader
        {
            Description = "Seconds to wait before the first poll.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
        };
    }

    private static void DescribeRoles(OpenApiOperation operation, RequiredRoles roles)
    {
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions[RolesExtension] = new JsonNodeExtension(new JsonArray(roles.Roles.Select(r => (JsonNode?)r).ToArray()));
        var who = roles.Roles.Count == 0 ? "Anonymous." : $"Roles: {string.Join(", ", roles.Roles)}.";
        var line = roles.Note is null || roles.Roles.Count == 0 ? who : who + " " + roles.Note;
        operation.Description = string.IsNullOrEmpty(operation.Description) ? line : operation.Description + "\n\n" + line;
    }

    private static void AddQueryParameters(OpenApiOperation operation, IEnumerable<QueryParameter> parameters)
    {
        foreach (var p in parameters)
        {
            var schema = new OpenApiSchema
            {
                Type = p.Type == "integer" ? JsonSchemaType.Integer : JsonSchemaType.String,
                Format = p.Format,
            };
            if (p.Values is { } values)
            {
                schema.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
            }

            if (p.Minimum is { } min)
            {
                schema.Minimum = min.ToString(CultureInfo.InvariantCulture);
            }

            if (p.Maximum is { } max)
            {
                schema.Maximum = max.ToString(CultureInfo.InvariantCulture);
            }

            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = p.Name,
                In = ParameterLocation.Query,
                Description = p.Description,
                Required = false,
                Schema = schema,
            });
        }
    }
}
