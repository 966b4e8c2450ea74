using System.Text.Json.Nodes;
using MediaRetention.Api.Http;
using MediaRetention.Core.Evidence.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace MediaRetention.Api.Evidence;

/// <summary>
/// <c>GET /api/evidence/signing-keys</c>: the public keys that verify evidence manifests, as a JWKS (RFC 7517).
/// Anonymous on purpose: public keys are not secret, and a court or defence expert must be able to fetch them
/// without an account. Not audited, as it touches no personal data.
/// </summary>
public sealed class SigningKeyEndpoints(ISigningKeyStore keys)
{
    public const string ContentType = "application/jwk-set+json";

    public async Task<IResult> GetAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        SigningKeySet set;
        try
        {
            set = await keys.GetKeysAsync(cancellationToken);
        }
        catch (SigningKeyUnavailableException e)
        {
            return ApiProblems.ServiceUnavailable($"No evidence signing key is available: {e.Message}");
        }

        var jwks = new JsonObject { ["keys"] = new JsonArray(set.Published.Select(k => (JsonNode?)k.ToJwk()).ToArray()) };
        // Short, so a rotation shows up soon; keys are long-lived, so clients need not ask often.
        request.HttpContext.Response.Headers[HeaderNames.CacheControl] = "public, max-age=300";
        return Results.Text(jwks.ToJsonString(), ContentType);
    }
}
