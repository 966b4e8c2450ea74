using System.Text.Json.Nodes;
using MediaRetention.Runner;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRetention.FunctionsTests;

/// <summary>
/// The OpenAPI document the running runner serves at /openapi/v1.json describes every route both hosts serve: each
/// runner route under /api and each HTTP function of the Functions app (by method, path and function name), with a
/// summary, the roles it admits, its security, its bodies and the problem responses it can give.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OpenApiDocumentTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];
    private WebApplication runner = null!;
    private JsonNode document = null!;

    public async Task InitializeAsync()
    {
        var names = Names.Unique();
        runner = RunnerApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--environment=Development", // a throwaway evidence signing key
            $"--MediaStorage={azurite.ConnectionString}",
            $"--CctvContainer={names.Cctv}", $"--CallsContainer={names.Calls}", $"--StateContainer={names.State}",
            $"--MediaTable={names.Media}", $"--HoldsTable={names.Holds}", $"--AuditTable={names.Audit}",
            $"--SubjectRequestsTable={names.SubjectRequests}",
            "--Retention:TimerEnabled=false",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await runner.StartAsync();
        var address = runner.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        using var response = await client.GetAsync("/openapi/v1.json");
        Assert.True(response.IsSuccessStatusCode, $"GET /openapi/v1.json: {(int)response.StatusCode}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public async Task DisposeAsync()
    {
        await runner.StopAsync();
        await runner.DisposeAsync();
    }

    [Fact]
    public void It_lists_exactly_the_runners_api_routes_and_every_http_function()
    {
        var documented = Operations().Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal))
            .Select(o => $"{o.Method.ToUpperInvariant()} {o.Path.TrimStart('/')}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(FunctionsContractTests.RunnerApiRoutes(), documented);
        // The API's functions; the web console's catch-all serves files, not the API.
        var functions = FunctionsMetadata.Load().WithTrigger("httpTrigger")
            .Where(f => f.Trigger["route"]?.StartsWith("api/", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(functions);
        foreach (var function in functions)
        {
            foreach (var method in function.Trigger.Methods)
            {
                var operation = Operations().SingleOrDefault(o => string.Equals(o.Method, method, StringComparison.OrdinalIgnoreCase) && o.Path == "/" + function.Trigger["route"]);
                Assert.True(operation.Json is not null, $"{method} /{function.Trigger["route"]} ({function.Name}) is not in the OpenAPI document");
                // Operation ids are the function names, so both hosts' logs and the document use one name per route.
                Assert.Equal(function.Name, (string?)operation.Json["operationId"]);
            }
        }
    }

    // Public keys must be fetchable by anyone, years later (README "Evidence handover").
    private static readonly string[] AnonymousPaths = ["/api/evidence/signing-keys"];

    [Fact]
    public void Every_api_operation_has_a_summary_roles_security_a_success_body_and_its_problem_responses()
    {
        var failures = new List<string>();
        foreach (var (method, path, op) in Operations().Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            void Expect(bool condition, string what)
            {
                if (!condition)
                {
                    failures.Add($"{name}: {what}");
                }
            }

            Expect(!string.IsNullOrWhiteSpace((string?)op["summary"]), "no summary");
            var roles = op["x-required-roles"]?.AsArray().Select(r => (string?)r).ToList();
            var security = op["security"]?.AsArray().Select(s => string.Join('+', s!.AsObject().Select(p => p.Key))).ToList() ?? [];
            var responses = op["responses"]!.AsObject();
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            if (AnonymousPaths.Contains(path))
            {
                Expect(roles is { Count: 0 }, "an anonymous route with required roles");
                Expect(((string?)op["description"])?.Contains("Anonymous.", StringComparison.Ordinal) == true, "'Anonymous.' not in the description");
                Expect(security.Count == 0, $"an anonymous route with security [{string.Join(", ", security)}]");
                Expect(success.Count == 1, "no success response");
                continue;
            }

            Expect(roles is { Count: > 0 } && roles.All(r => MediaRetention.Api.Auth.Roles.All.Contains(r!)), "no x-required-roles");
            Expect(((string?)op["description"])?.Contains("Roles: " + string.Join(", ", roles ?? []), StringComparison.Ordinal) == true, "roles not in the description");
            Expect(security.SequenceEqual(["ApiKey", "EntraId"]), $"security is [{string.Join(", ", security)}]");

            // One success response, or (placing a hold) 201 for a small hold and 202 for one marked in the background.
            Expect(success.Count is 1 or 2 && success.All(r => r.Value?["content"]?["application/json"]?["schema"] is not null), "no JSON success response");
            foreach (var status in new[] { "401", "403", "429" }.Concat(path.Contains("{id}", StringComparison.Ordinal) ? ["404"] : []))
            {
                Expect(responses[status]?["content"]?["application/problem+json"] is not null, $"no {status} problem response");
            }

            if (path.Contains("{id}", StringComparison.Ordinal))
            {
                Expect(op["parameters"]?.AsArray().Any(p => (string?)p!["name"] == "id" && (string?)p["in"] == "path") == true, "no id path parameter");
            }

            if (op["parameters"]?.AsArray().Any(p => (string?)p!["name"] == "continuationToken") == true)
            {
                Expect(responses["400"] is not null, "a paged route without a 400 for a bad token");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [InlineData("SweepRetention")]
    [InlineData("VerifyEvidence")]
    public void Long_work_answers_202_with_the_operation_in_Location(string operationId)
    {
        var (_, _, op) = Operations().Single(o => (string?)o.Json["operationId"] == operationId);
        var responses = op["responses"]!.AsObject();

        Assert.Equal(["202"], responses.Where(r => r.Key.StartsWith('2')).Select(r => r.Key));
        var accepted = responses["202"]!;
        Assert.EndsWith("OperationView", (string?)accepted["content"]?["application/json"]?["schema"]?["$ref"]);
        Assert.Contains("/api/operations/{id}", (string?)accepted["headers"]?["Location"]?["description"]);
        Assert.NotNull(accepted["headers"]?["Retry-After"]);
        Assert.NotNull(responses["503"]);

        var (_, _, get) = Operations().Single(o => (string?)o.Json["operationId"] == "GetOperation");
        Assert.Equal("/api/operations/{id}", Operations().Single(o => (string?)o.Json["operationId"] == "GetOperation").Path);
        Assert.EndsWith("OperationView", (string?)get["responses"]!["200"]!["content"]?["application/json"]?["schema"]?["$ref"]);
    }

    [Fact]
    public void Placing_a_hold_answers_201_or_202_with_the_marking_operation_in_Location()
    {
        var (_, _, op) = Operations().Single(o => (string?)o.Json["operationId"] == "PlaceHold");
        var responses = op["responses"]!.AsObject();

        Assert.Equal(["201", "202"], responses.Where(r => r.Key.StartsWith('2')).Select(r => r.Key).Order());
        Assert.EndsWith("PlacedHoldResponse", (string?)responses["201"]!["content"]?["application/json"]?["schema"]?["$ref"]);
        var accepted = responses["202"]!;
        Assert.EndsWith("PlacedHoldResponse", (string?)accepted["content"]?["application/json"]?["schema"]?["$ref"]);
        Assert.Contains("/api/operations/{id}", (string?)accepted["headers"]?["Location"]?["description"]);
        Assert.Contains("Holds:InlineMarkLimit", (string?)op["description"]);
    }

    [Fact]
    public void Request_bodies_are_json_and_refuse_unknown_members()
    {
        foreach (var operationId in new[]
                 {
                     "PlaceHold", "ReleaseHold", "OpenSubjectRequest", "ExportSubjectAccess", "EraseSubjectData", "AnswerSubjectRequest",
                     "RejectSubjectRequest",
                 })
        {
            var (_, _, op) = Operations().Single(o => (string?)o.Json["operationId"] == operationId);
            var schemaRef = (string?)op["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"];
            Assert.NotNull(schemaRef);
            var schema = document["components"]!["schemas"]![schemaRef.Split('/')[^1]]!;
            Assert.False((bool?)schema["additionalProperties"] ?? true, $"{operationId}: additionalProperties is not false");
            foreach (var status in new[] { "400", "413", "415" })
            {
                Assert.True(op["responses"]![status] is not null, $"{operationId}: no {status}");
            }
        }

        foreach (var nested in new[] { "HoldScopeRequest", "SubjectPhoneRequest", "SubjectCctvPlaceRequest" })
        {
            var schema = document["components"]!["schemas"]![nested]!;
            Assert.False((bool?)schema["additionalProperties"] ?? true, $"{nested}: additionalProperties is not false");
        }
    }

    [Fact]
    public void The_api_key_scheme_and_the_anonymous_health_probe_are_described()
    {
        var apiKey = document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal(("apiKey", "header", "X-Api-Key"), ((string?)apiKey["type"], (string?)apiKey["in"], (string?)apiKey["name"]));

        var (_, _, health) = Operations().Single(o => o.Path == "/healthz");
        Assert.Null(health["security"]);
        Assert.NotNull(health["responses"]!["503"]);
        Assert.Equal("MediaRetention API", (string?)document["info"]!["title"]);
    }

    private IEnumerable<(string Method, string Path, JsonNode Json)> Operations() =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(op => Methods.Contains(op.Key))
            .Select(op => (op.Key, path.Key, op.Value!)));
}
