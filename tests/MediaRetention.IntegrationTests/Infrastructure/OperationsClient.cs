using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MediaRetention.Api.Operations;
using MediaRetention.Core.Operations;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>Long requests (sweep, evidence verify) answer 202 with an operation: start one, follow it, read its result.</summary>
public static class OperationsClient
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>POSTs <c>{}</c> and expects 202 with Location = the operation's address.</summary>
    public static async Task<OperationView> StartOperationAsync(this HttpClient client, string path)
    {
        using var response = await client.PostAsJsonAsync(path, new { });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var operation = (await response.Content.ReadFromJsonAsync<OperationView>(JsonSerializerOptions.Web))!;
        Assert.Equal(operation.Location, response.Headers.Location?.OriginalString);
        Assert.Equal($"/api/operations/{operation.Id}", operation.Location);
        Assert.NotNull(response.Headers.RetryAfter);
        return operation;
    }

    /// <summary>Polls the operation until it has succeeded or failed (or fails the test after the timeout).</summary>
    public static async Task<OperationView> WaitForOperationAsync(this HttpClient client, OperationView operation, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var current = operation;
        while (current.Status is OperationStatuses.Queued or OperationStatuses.Running)
        {
            await Task.Delay(50, cts.Token);
            current = (await client.GetFromJsonAsync<OperationView>(operation.Location, JsonSerializerOptions.Web, cts.Token))!;
        }

        return current;
    }

    /// <summary>Starts the operation, waits for it, expects success and returns its result as <typeparamref name="T"/>.</summary>
    public static async Task<T> RunOperationAsync<T>(this HttpClient client, string path, TimeSpan? timeout = null)
    {
        var done = await client.WaitForOperationAsync(await client.StartOperationAsync(path), timeout);
        Assert.True(done.Status == OperationStatuses.Succeeded, $"POST {path}: operation {done.Status}: {done.Error}");
        return done.Result!.Value.Deserialize<T>(JsonSerializerOptions.Web)!;
    }

    /// <summary>A sweep through the API, as the console runs one: the summary once it has finished.</summary>
    public static Task<Core.Retention.SweepSummary> SweepAsync(this HttpClient admin, TimeSpan? timeout = null) =>
        admin.RunOperationAsync<Core.Retention.SweepSummary>("/api/retention/sweep", timeout);
}
