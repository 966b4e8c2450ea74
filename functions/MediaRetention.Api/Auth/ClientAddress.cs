using System.Net;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Auth;

/// <summary>Who is on the other end, as far as rate limiting and the audit log are concerned: an IP address.</summary>
public static class ClientAddress
{
    public const string Unknown = "unknown";

    /// <param name="header">A header set by a trusted front end (its last entry is used), or null for the connection's address.</param>
    public static string Of(HttpRequest request, string? header)
    {
        if (!string.IsNullOrEmpty(header)
            && request.Headers[header].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } entries)
        {
            var last = entries[^1];
            if (IPEndPoint.TryParse(last, out var endpoint))
            {
                return Normalize(endpoint.Address);
            }
        }

        return request.HttpContext.Connection.RemoteIpAddress is { } remote ? Normalize(remote) : Unknown;
    }

    private static string Normalize(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
