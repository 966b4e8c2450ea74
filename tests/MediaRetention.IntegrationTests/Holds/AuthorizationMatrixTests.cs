using System.Net;
using System.Net.Http.Json;
using MediaRetention.Api.Holds;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>Every endpoint with no key, a wrong key and each role: the exact status codes.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuthorizationMatrixTests(AzuriteFixture azurite)
{
    private const string None = "none";
    private const string Wrong = "wrong";
    private const string Security = "security";
    private const string Police = "police";
    private const string OtherPolice = "otherPolice";
    private const string Admin = "admin";

    [Fact]
    public async Task Every_endpoint_answers_each_caller_with_the_exact_status()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var mediaId = new string('a', 32);
        var clients = new Dictionary<string, HttpClient>
        {
            [None] = runner.ClientFor(null),
            [Wrong] = runner.ClientFor("not-a-key"),
            [Security] = runner.ClientFor(TestKeys.Security),
            [Police] = runner.ClientFor(TestKeys.Police),
            [OtherPolice] = runner.ClientFor(TestKeys.OtherPolice),
            [Admin] = runner.ClientFor(TestKeys.Admin),
        };

        // A hold of the oslo agency, placed by its own police liaison.
        var placed = await (await clients[Police].PostAsJsonAsync("/api/holds", HoldBody("oslo-pd"))).Content.ReadFromJsonAsync<PlacedHoldResponse>();
        var holdId = placed!.Hold.Id;
        await runner.ApproveAsync(holdId); // evidence is for approved (active) holds
        var unknown = new string('b', 32);

        // An operation of each kind, finished: a sweep (admin's) and an evidence check of the oslo hold.
        var sweepOperation = await clients[Admin].WaitForOperationAsync(await clients[Admin].StartOperationAsync("/api/retention/sweep"));
        var verifyOperation = await clients[Police].WaitForOperationAsync(await clients[Police].StartOperationAsync($"/api/holds/{holdId}/evidence/verify"));

        var expectations = new (string Method, string Path, Func<object?> Body, Dictionary<string, HttpStatusCode> Status)[]
        {
            ("GET", "/api/me", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK)),
            ("GET", "/api/media", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.Forbidden)),
            ("GET", $"/api/media/{mediaId}", () => null, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("GET", $"/api/media/{mediaId}/link", () => null, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("POST", "/api/holds", () => HoldBody("oslo-pd"), Row(ok: HttpStatusCode.Created, police: HttpStatusCode.Created, otherPolice: HttpStatusCode.Forbidden)),
            ("POST", "/api/holds/preview", () => HoldBody("oslo-pd"), Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.Forbidden)),
            ("GET", "/api/holds", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK)),
            ("GET", $"/api/holds/{holdId}", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.NotFound)),
            ("GET", "/api/audit", () => null, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.OK)),
            ("GET", "/api/audit/verify", () => null, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.OK)),
            ("GET", "/api/retention/preview", () => null, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.OK)),
            ("POST", "/api/retention/sweep", () => new { }, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.Accepted)),
            ("GET", $"/api/holds/{holdId}/evidence", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.NotFound)),
            ("GET", $"/api/holds/{holdId}/evidence/manifest", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.NotFound)),
            ("POST", $"/api/holds/{holdId}/evidence/verify", () => new { }, Row(ok: HttpStatusCode.Accepted, police: HttpStatusCode.Accepted, otherPolice: HttpStatusCode.NotFound)),
            // Operations: only the roles that may start that kind read one, police only their own agency's; others get 404.
            ("GET", sweepOperation.Location, () => null, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.NotFound, admin: HttpStatusCode.OK)),
            ("GET", verifyOperation.Location, () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.NotFound)),
            ("GET", $"/api/operations/{new string('c', 32)}", () => null, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.NotFound)),
            ("POST", $"/api/holds/{unknown}/release", () => new { reason = "r" }, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("POST", $"/api/holds/{unknown}/approve", () => new { reason = "r" }, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("POST", $"/api/holds/{unknown}/reject", () => new { reason = "r" }, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("POST", $"/api/holds/{holdId}/approve", () => new { reason = "r" }, Row(ok: HttpStatusCode.Conflict, police: HttpStatusCode.Forbidden)),
            ("POST", $"/api/holds/{holdId}/reject", () => new { reason = "r" }, Row(ok: HttpStatusCode.Conflict, police: HttpStatusCode.Forbidden)),
            ("GET", "/api/holds?status=requested", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK)),
            ("POST", "/api/maintenance/phone-hashes/rekey", () => new { }, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.OK)),
        };

        var failures = new List<string>();
        foreach (var (method, path, body, status) in expectations)
        {
            foreach (var (caller, client) in clients)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body() is { } content)
                {
                    request.Content = JsonContent.Create(content);
                }

                var actual = (await client.SendAsync(request)).StatusCode;
                if (actual != status[caller])
                {
                    failures.Add($"{method} {path} as {caller}: expected {(int)status[caller]}, got {(int)actual}");
                }
            }
        }

        // Release last: the first caller allowed to release it wins, the others see 409 or their denial.
        foreach (var (caller, expected) in new[]
                 {
                     (None, HttpStatusCode.Unauthorized), (Wrong, HttpStatusCode.Unauthorized), (Police, HttpStatusCode.Forbidden),
                     (OtherPolice, HttpStatusCode.Forbidden), (Security, HttpStatusCode.OK), (Admin, HttpStatusCode.Conflict),
                 })
        {
            var actual = (await clients[caller].PostAsJsonAsync($"/api/holds/{holdId}/release", new { reason = "done" })).StatusCode;
            if (actual != expected)
            {
                failures.Add($"POST release as {caller}: expected {(int)expected}, got {(int)actual}");
            }
        }

        // A request each for approve and reject: police (own agency or not) are refused, the first reviewer wins, the
        // second sees 409; the police see their request's status, never its coverage or evidence, until it is approved.
        foreach (var action in new[] { "approve", "reject" })
        {
            var request = (await (await clients[Police].PostAsJsonAsync("/api/holds", HoldBody("oslo-pd"))).Content.ReadFromJsonAsync<PlacedHoldResponse>())!.Hold.Id;
            foreach (var (path, expected) in new[] { ($"/api/holds/{request}/evidence", HttpStatusCode.Conflict), ($"/api/holds/{request}/evidence/manifest", HttpStatusCode.Conflict) })
            {
                foreach (var caller in new[] { Police, Security, Admin })
                {
                    var actual = (await clients[caller].GetAsync(path)).StatusCode;
                    if (actual != expected)
                    {
                        failures.Add($"GET {path} of a request as {caller}: expected {(int)expected}, got {(int)actual}");
                    }
                }
            }

            foreach (var (caller, expected) in new[]
                     {
                         (None, HttpStatusCode.Unauthorized), (Wrong, HttpStatusCode.Unauthorized), (Police, HttpStatusCode.Forbidden),
                         (OtherPolice, HttpStatusCode.Forbidden), (Security, HttpStatusCode.OK), (Admin, HttpStatusCode.Conflict),
                     })
            {
                var actual = (await clients[caller].PostAsJsonAsync($"/api/holds/{request}/{action}", new { reason = "reviewed" })).StatusCode;
                if (actual != expected)
                {
                    failures.Add($"POST {action} as {caller}: expected {(int)expected}, got {(int)actual}");
                }
            }
        }

        Assert.Empty(failures);
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }
    }

    private static object HoldBody(string agency) => new
    {
        caseNumber = "C-1",
        reason = "matrix",
        requestedBy = new { agency, officer = "o" },
        scope = new { type = "call", callId = "call-1" },
    };

    // 401 for no key and a wrong key everywhere; the rest as given (security and admin share "ok" unless stated).
    private static Dictionary<string, HttpStatusCode> Row(HttpStatusCode ok, HttpStatusCode police,
        HttpStatusCode? otherPolice = null, HttpStatusCode? admin = null) => new()
    {
        [None] = HttpStatusCode.Unauthorized,
        [Wrong] = HttpStatusCode.Unauthorized,
        [Security] = ok,
        [Police] = police,
        [OtherPolice] = otherPolice ?? police,
        [Admin] = admin ?? (ok == HttpStatusCode.Forbidden ? HttpStatusCode.OK : ok),
    };
}
