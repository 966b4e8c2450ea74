using System.Net;
using System.Net.Http.Json;
using MediaRetention.Api.Holds;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>Every endpoint with no key, a wrong key and each role (security, police of two agencies, admin, privacy): the exact status codes.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuthorizationMatrixTests(AzuriteFixture azurite)
{
    private const string None = "none";
    private const string Wrong = "wrong";
    private const string Security = "security";
    private const string Police = "police";
    private const string OtherPolice = "otherPolice";
    private const string Admin = "admin";
    private const string Privacy = "privacy";

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
            [Privacy] = runner.ClientFor(TestKeys.Privacy),
        };

        // A hold of the oslo agency, placed by its own police liaison.
        var placed = await (await clients[Police].PostAsJsonAsync("/api/holds", HoldBody("oslo-pd"))).Content.ReadFromJsonAsync<PlacedHoldResponse>();
        var holdId = placed!.Hold.Id;
        await runner.ApproveAsync(holdId); // evidence is for approved (active) holds
        var unknown = new string('b', 32);

        // An operation of each kind, finished: a sweep (admin's) and an evidence check of the oslo hold.
        var sweepOperation = await clients[Admin].WaitForOperationAsync(await clients[Admin].StartOperationAsync("/api/retention/sweep"));
        var verifyOperation = await clients[Police].WaitForOperationAsync(await clients[Police].StartOperationAsync($"/api/holds/{holdId}/evidence/verify"));

        // An access and an erasure request opened by the privacy officer; a fresh one per allowed caller where a call closes it.
        var access = await OpenSubjectRequestAsync(clients[Privacy], "access");
        var erasure = await OpenSubjectRequestAsync(clients[Privacy], "erasure");
        var unknownRequest = new string('c', 32);

        var expectations = new (string Method, string Path, Func<object?> Body, Dictionary<string, HttpStatusCode> Status)[]
        {
            ("GET", "/api/me", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, privacy: HttpStatusCode.OK)),
            ("GET", "/api/media", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.Forbidden)),
            ("GET", $"/api/media/{mediaId}", () => null, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("GET", $"/api/media/{mediaId}/link", () => null, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("POST", "/api/holds", () => HoldBody("oslo-pd"), Row(ok: HttpStatusCode.Created, police: HttpStatusCode.Created, otherPolice: HttpStatusCode.Forbidden)),
            ("POST", "/api/holds/preview", () => HoldBody("oslo-pd"), Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.Forbidden)),
            ("GET", "/api/holds", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK)),
            ("GET", $"/api/holds/{holdId}", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.NotFound)),
            ("GET", "/api/audit", () => null, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.OK)),
            ("GET", "/api/audit/verify", () => null, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.OK)),
            ("GET", "/api/audit/verify?from=1&pageSize=10", () => null, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.OK)),
            ("POST", "/api/audit/verify", () => new { }, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.Accepted)),
            ("GET", "/api/retention/preview", () => null, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.OK)),
            ("POST", "/api/retention/sweep", () => new { }, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.Accepted)),
            ("GET", $"/api/holds/{holdId}/evidence", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.NotFound)),
            ("GET", $"/api/holds/{holdId}/evidence/manifest", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.NotFound)),
            ("POST", $"/api/holds/{holdId}/evidence/verify", () => new { }, Row(ok: HttpStatusCode.Accepted, police: HttpStatusCode.Accepted, otherPolice: HttpStatusCode.NotFound)),
            // Operations: only the roles that may start that kind read one, police only their own agency's; others (the privacy
            // officer too) get 404.
            ("GET", sweepOperation.Location, () => null, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.NotFound, admin: HttpStatusCode.OK, privacy: HttpStatusCode.NotFound)),
            ("GET", verifyOperation.Location, () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK, otherPolice: HttpStatusCode.NotFound, privacy: HttpStatusCode.NotFound)),
            ("GET", $"/api/operations/{new string('c', 32)}", () => null, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.NotFound, privacy: HttpStatusCode.NotFound)),
            ("POST", $"/api/holds/{unknown}/release", () => new { reason = "r" }, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("POST", $"/api/holds/{unknown}/approve", () => new { reason = "r" }, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("POST", $"/api/holds/{unknown}/reject", () => new { reason = "r" }, Row(ok: HttpStatusCode.NotFound, police: HttpStatusCode.Forbidden)),
            ("POST", $"/api/holds/{holdId}/approve", () => new { reason = "r" }, Row(ok: HttpStatusCode.Conflict, police: HttpStatusCode.Forbidden)),
            ("POST", $"/api/holds/{holdId}/reject", () => new { reason = "r" }, Row(ok: HttpStatusCode.Conflict, police: HttpStatusCode.Forbidden)),
            ("GET", "/api/holds?status=requested", () => null, Row(ok: HttpStatusCode.OK, police: HttpStatusCode.OK)),
            ("POST", "/api/maintenance/phone-hashes/rekey", () => new { }, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.OK)),
            ("POST", "/api/maintenance/lookup-rows/backfill", () => new { }, Row(ok: HttpStatusCode.Forbidden, police: HttpStatusCode.Forbidden, admin: HttpStatusCode.Accepted)),
            ("POST", "/api/subject-requests", () => SubjectRequestBody("access"), Officers(HttpStatusCode.Created)),
            ("GET", "/api/subject-requests", () => null, Officers(HttpStatusCode.OK)),
            ("GET", $"/api/subject-requests/{access}", () => null, Officers(HttpStatusCode.OK)),
            ("GET", $"/api/subject-requests/{unknownRequest}", () => null, Officers(HttpStatusCode.NotFound)),
            ("GET", $"/api/subject-requests/{access}/media/{mediaId}/link", () => null, Officers(HttpStatusCode.NotFound)),
            ("POST", $"/api/subject-requests/{access}/export", () => new { mediaIds = Array.Empty<string>(), reason = "nothing matches" }, Officers(HttpStatusCode.OK)),
            ("POST", $"/api/subject-requests/{erasure}/erasure/preview", () => new { }, Officers(HttpStatusCode.OK)),
            ("POST", $"/api/subject-requests/{erasure}/erasure", () => new { }, Officers(HttpStatusCode.OK)),
            ("POST", $"/api/subject-requests/{unknownRequest}/answer", () => new { answer = "a" }, Officers(HttpStatusCode.NotFound)),
            ("POST", $"/api/subject-requests/{unknownRequest}/reject", () => new { reason = "r" }, Officers(HttpStatusCode.NotFound)),
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
                     (OtherPolice, HttpStatusCode.Forbidden), (Privacy, HttpStatusCode.Forbidden), (Security, HttpStatusCode.OK),
                     (Admin, HttpStatusCode.Conflict),
                 })
        {
            var actual = (await clients[caller].PostAsJsonAsync($"/api/holds/{holdId}/release", new { reason = "done" })).StatusCode;
            if (actual != expected)
            {
                failures.Add($"POST release as {caller}: expected {(int)expected}, got {(int)actual}");
            }
        }

        // Closing a request: the first officer to answer (or reject) wins, the second sees 409; nobody else may.
        foreach (var (route, body, request) in new[]
                 {
                     ("answer", (object)new { answer = "Your copy is attached." }, access),
                     ("reject", new { reason = "Identity could not be verified." }, await OpenSubjectRequestAsync(clients[Privacy], "erasure")),
                 })
        {
            foreach (var (caller, expected) in new[]
                     {
                         (None, HttpStatusCode.Unauthorized), (Wrong, HttpStatusCode.Unauthorized), (Security, HttpStatusCode.Forbidden),
                         (Police, HttpStatusCode.Forbidden), (OtherPolice, HttpStatusCode.Forbidden), (Privacy, HttpStatusCode.OK),
                         (Admin, HttpStatusCode.Conflict),
                     })
            {
                var actual = (await clients[caller].PostAsJsonAsync($"/api/subject-requests/{request}/{route}", body)).StatusCode;
                if (actual != expected)
                {
                    failures.Add($"POST {route} as {caller}: expected {(int)expected}, got {(int)actual}");
                }
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
                         (OtherPolice, HttpStatusCode.Forbidden), (Privacy, HttpStatusCode.Forbidden), (Security, HttpStatusCode.OK), (Admin, HttpStatusCode.Conflict),
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

    private static async Task<string> OpenSubjectRequestAsync(HttpClient privacy, string type)
    {
        using var response = await privacy.PostAsJsonAsync("/api/subject-requests", SubjectRequestBody(type));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<MediaRetention.Api.SubjectRequests.SubjectRequestView>())!.Id;
    }

    private static object SubjectRequestBody(string type) => new
    {
        type,
        receivedAt = "2026-11-20T09:00:00Z",
        reference = "DSR-1",
        phone = new { number = "+4791234567" },
    };

    // Subject requests: the privacy officer and admin only; security and police are refused like an unknown role.
    private static Dictionary<string, HttpStatusCode> Officers(HttpStatusCode ok) => new()
    {
        [None] = HttpStatusCode.Unauthorized,
        [Wrong] = HttpStatusCode.Unauthorized,
        [Security] = HttpStatusCode.Forbidden,
        [Police] = HttpStatusCode.Forbidden,
        [OtherPolice] = HttpStatusCode.Forbidden,
        [Admin] = ok,
        [Privacy] = ok,
    };

    private static object HoldBody(string agency) => new
    {
        caseNumber = "C-1",
        reason = "matrix",
        requestedBy = new { agency, officer = "o" },
        scope = new { type = "call", callId = "call-1" },
    };

    // 401 for no key and a wrong key everywhere; the rest as given (security and admin share "ok" unless stated). The
    // privacy officer may only say who they are: every route of holds, media, evidence, retention and audit is a 403.
    private static Dictionary<string, HttpStatusCode> Row(HttpStatusCode ok, HttpStatusCode police,
        HttpStatusCode? otherPolice = null, HttpStatusCode? admin = null, HttpStatusCode privacy = HttpStatusCode.Forbidden) => new()
    {
        [Privacy] = privacy,
        [None] = HttpStatusCode.Unauthorized,
        [Wrong] = HttpStatusCode.Unauthorized,
        [Security] = ok,
        [Police] = police,
        [OtherPolice] = otherPolice ?? police,
        [Admin] = admin ?? (ok == HttpStatusCode.Forbidden ? HttpStatusCode.OK : ok),
    };
}
