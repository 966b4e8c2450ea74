using System.Net;
using MediaRetention.Api.Auth;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.UnitTests.Auth;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData(null, null, "192.0.2.7")]
    [InlineData("X-Forwarded-For", null, "192.0.2.7")] // no header sent: the connection's address
    [InlineData("X-Forwarded-For", "198.51.100.1, 203.0.113.9:51234", "203.0.113.9")] // the last entry, without its port
    [InlineData("X-Forwarded-For", "[2001:db8::1]:443", "2001:db8::1")]
    [InlineData(null, "203.0.113.9", "192.0.2.7")] // a header nobody configured is not trusted
    public void The_client_is_the_last_entry_of_a_configured_header_or_the_connection(string? header, string? forwarded, string expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.7").MapToIPv6();
        if (forwarded is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwarded;
        }

        Assert.Equal(expected, ClientAddress.Of(context.Request, header));
    }

    [Fact]
    public void Without_any_address_the_client_is_unknown() =>
        Assert.Equal(ClientAddress.Unknown, ClientAddress.Of(new DefaultHttpContext().Request, null));
}
