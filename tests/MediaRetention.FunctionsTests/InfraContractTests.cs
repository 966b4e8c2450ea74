using System.Text.RegularExpressions;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Telemetry;

namespace MediaRetention.FunctionsTests;

/// <summary>
/// infra/ and azure.yaml against the app that exists: Event Grid must deliver to blob-trigger functions by their
/// real names (a rename would silently stop ingest in Azure), and azd must find the project and template.
/// </summary>
public sealed partial class InfraContractTests
{
    private static readonly string Bicep = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "main.bicep"));

    [Fact]
    public void Event_Grid_subscriptions_name_exactly_the_blob_trigger_functions()
    {
        var block = IngestSubscriptionsBlock().Match(Bicep);
        Assert.True(block.Success, "infra/main.bicep has no 'var ingestSubscriptions = [...]' block");

        var subscribed = FunctionNameEntry().Matches(block.Value).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
        var triggers = FunctionsMetadata.Load().WithTrigger("blobTrigger").Select(f => f.Name).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(triggers);
        Assert.Equal(triggers, subscribed);
        // The webhook URL addresses the function the way the blob extension expects.
        Assert.Contains("functionName=Host.Functions.${sub.functionName}", Bicep, StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_yaml_names_the_Functions_project_and_the_Bicep_template_that_exist()
    {
        var yaml = AzureYaml.Load(Path.Combine(RepositoryRoot.Path, "azure.yaml"));

        var project = Path.Combine(RepositoryRoot.Path, yaml.Require("services.api.project"));
        Assert.True(Directory.Exists(project), $"azure.yaml services.api.project: {project} does not exist");
        var csproj = Assert.Single(Directory.GetFiles(project, "*.csproj"));
        Assert.Contains("Microsoft.Azure.Functions.Worker.Sdk", File.ReadAllText(csproj), StringComparison.Ordinal);
        Assert.Equal("function", yaml.Require("services.api.host"));
        Assert.Equal("dotnet", yaml.Require("services.api.language"));

        Assert.Equal("bicep", yaml.Require("infra.provider"));
        var template = Path.Combine(RepositoryRoot.Path, yaml.Require("infra.path"), yaml.Require("infra.module") + ".bicep");
        Assert.True(File.Exists(template), $"azure.yaml infra: {template} does not exist");

        // azd deploys to the resource tagged with the service name.
        Assert.Matches(@"'azd-service-name':\s*'api'", Bicep);
    }

    [Fact]
    public void Azd_postdeploy_hook_creates_the_event_subscriptions_with_a_script_that_exists()
    {
        var yaml = AzureYaml.Load(Path.Combine(RepositoryRoot.Path, "azure.yaml"));
        var script = Path.Combine(RepositoryRoot.Path, yaml.Require("hooks.postdeploy.run"));

        Assert.True(File.Exists(script), $"azure.yaml hooks.postdeploy.run: {script} does not exist");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(script) & UnixFileMode.UserExecute) != 0, $"{script} is not executable");
        }

        var text = File.ReadAllText(script);
        Assert.Contains("deployEventSubscriptions=true", text, StringComparison.Ordinal);
        Assert.Contains("infra/main.bicep", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Alerts_query_the_metrics_the_app_exports_by_their_real_names()
    {
        var queries = AlertQuery().Matches(Bicep).Select(m => m.Groups[1].Value).ToList();

        Assert.Contains(queries, q => q.Contains($"name == \"{MediaRetentionTelemetry.Metrics.RetentionLag}\"", StringComparison.Ordinal)
            && q.Contains("valueMax > ${retentionLagAlertSeconds}", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains($"name == \"{MediaRetentionTelemetry.Metrics.SweepRuns}\"", StringComparison.Ordinal)
            && q.Contains($"customDimensions[\"{MediaRetentionTelemetry.Tags.Outcome}\"]) == \"{SweepOutcomes.Failed}\"", StringComparison.Ordinal));
        Assert.Matches(@"param retentionLagAlertSeconds int = 3600\b", Bicep);
        // Both alerts notify the optional email's action group and/or an existing one.
        Assert.Equal(2, Regex.Count(Bicep, "actionGroups: alertActionGroups"));
    }

    [GeneratedRegex(@"query: '([^']+)'")]
    private static partial Regex AlertQuery();

    [GeneratedRegex(@"var ingestSubscriptions = \[(.*?)\n\]", RegexOptions.Singleline)]
    private static partial Regex IngestSubscriptionsBlock();

    [GeneratedRegex(@"functionName:\s*'([^']+)'")]
    private static partial Regex FunctionNameEntry();
}

/// <summary>
/// Reads the flat subset of YAML that azure.yaml uses (nested maps of scalars, indentation by spaces) into dotted
/// keys. Enough to check what azd will look up; not a general YAML parser.
/// </summary>
public sealed class AzureYaml(IReadOnlyDictionary<string, string> values)
{
    public static AzureYaml Load(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var stack = new List<(int Indent, string Key)>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Split(" #")[0].TrimEnd();
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var indent = line.Length - line.TrimStart().Length;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[indent..colon].Trim();
            var value = line[(colon + 1)..].Trim().Trim('"', '\'');
            stack.RemoveAll(s => s.Indent >= indent);
            var path2 = string.Join('.', stack.Select(s => s.Key).Append(key));
            if (value.Length == 0)
            {
                stack.Add((indent, key));
            }
            else
            {
                values[path2] = value;
            }
        }

        return new AzureYaml(values);
    }

    public string Require(string key) =>
        values.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"azure.yaml has no '{key}'");
}

/// <summary>
/// The app roles infra/README.md tells an administrator to register, against the roles the app accepts: a role
/// registered in Entra ID that the app refuses (a bare "police") locks those users out in Azure.
/// </summary>
public sealed partial class EntraRegistrationTests
{
    private static readonly string InfraReadme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "README.md"));

    [Fact]
    public void Every_documented_app_role_is_accepted_by_the_app()
    {
        var documented = DocumentedRoles();

        Assert.NotEmpty(documented);
        Assert.All(documented, role =>
        {
            var result = Authenticate(role);
            Assert.True(result.Status == MediaRetention.Api.Auth.AuthenticationStatus.Authenticated,
                $"documented role '{role}' is refused by the app: {result.Problem}");
        });
    }

    [Fact]
    public void Every_role_the_app_knows_is_documented_for_registration()
    {
        var documented = DocumentedRoles();

        foreach (var role in MediaRetention.Api.Auth.Roles.All)
        {
            Assert.True(
                role == MediaRetention.Api.Auth.Roles.Police
                    ? documented.Any(d => d.StartsWith("police.", StringComparison.Ordinal))
                    : documented.Contains(role),
                $"role '{role}' is not in infra/README.md's roles.json");
        }
    }

    [Theory]
    [InlineData("police")]
    [InlineData("police.")]
    [InlineData("police.oslo pd")]
    public void A_police_role_without_a_valid_agency_is_refused(string role)
    {
        Assert.NotEqual(MediaRetention.Api.Auth.AuthenticationStatus.Authenticated, Authenticate(role).Status);
    }

    [Fact]
    public void Registration_steps_ask_for_v2_tokens_to_match_the_v2_issuer()
    {
        var bicep = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "main.bicep"));

        Assert.Contains("/v2.0'", bicep, StringComparison.Ordinal);
        Assert.Contains("api.requestedAccessTokenVersion=2", InfraReadme, StringComparison.Ordinal);
    }

    private static List<string> DocumentedRoles()
    {
        var json = RolesJsonBlock().Match(InfraReadme);
        Assert.True(json.Success, "infra/README.md has no ```json block after 'roles.json'");
        return System.Text.Json.JsonDocument.Parse(json.Groups[1].Value).RootElement.EnumerateArray()
            .Select(r => r.GetProperty("value").GetString()!)
            .ToList();
    }

    private static MediaRetention.Api.Auth.AuthenticationResult Authenticate(string role)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Headers["X-MS-CLIENT-PRINCIPAL"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            System.Text.Json.JsonSerializer.Serialize(new
            {
                auth_typ = "aad",
                name_typ = "name",
                role_typ = "roles",
                claims = new[] { new { typ = "name", val = "someone@example.org" }, new { typ = "roles", val = role } },
            })));
        return new MediaRetention.Api.Auth.AppServicePrincipalAuthenticator(platformAuthenticationEnabled: true).Authenticate(context.Request);
    }

    [GeneratedRegex(@"roles\.json`:\s*```json\s*(\[.*?\])\s*```", RegexOptions.Singleline)]
    private static partial Regex RolesJsonBlock();
}

/// <summary>
/// Holds:UseImmutabilityLegalHold needs version-level immutability, which needs versioning; with versioning on, a
/// deleted blob lives on as a non-current version unless something removes it. infra enables exactly that together.
/// </summary>
public sealed class ImmutabilityInfraTests
{
    private static readonly string Bicep = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "main.bicep"));

    [Fact]
    public void The_legal_hold_setting_comes_with_versioning_version_level_immutability_and_a_noncurrent_version_rule()
    {
        var setting = $"{MediaRetention.Core.Holds.HoldOptions.SectionName}__{nameof(MediaRetention.Core.Holds.HoldOptions.UseImmutabilityLegalHold)}";

        Assert.Contains("param useImmutabilityLegalHold bool = false", Bicep, StringComparison.Ordinal);
        Assert.Matches($@"name: '{setting}'\s*value: string\(useImmutabilityLegalHold\)", Bicep);
        Assert.Contains("isVersioningEnabled: useImmutabilityLegalHold", Bicep, StringComparison.Ordinal);
        Assert.Matches(@"useImmutabilityLegalHold && contains\(mediaContainerNames, name\)\s*\?\s*\{\s*immutableStorageWithVersioning: \{\s*enabled: true", Bicep);
        Assert.Matches(@"managementPolicies@[0-9-]+' = if \(useImmutabilityLegalHold\)", Bicep);
        Assert.Matches(@"version: \{\s*delete: \{\s*daysAfterCreationGreaterThan: 1", Bicep);
    }
}

/// <summary>
/// Least privilege: every role assignment of infra/main.bicep, read block by block, is pinned to its scope. The app's
/// data roles sit on the containers, tables and queue it uses; the Event Grid topic may write the dead-letter container
/// only; the Functions host's own storage is a separate account.
/// </summary>
public sealed partial class RoleScopeInfraTests
{
    private static readonly string Bicep = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "main.bicep"));

    private sealed record Assignment(string Resource, string Scope, string Role, string Principal);

    [GeneratedRegex(@"^resource (\w+) 'Microsoft\.Authorization/roleAssignments@[^']+' = ", RegexOptions.Multiline)]
    private static partial Regex AssignmentStart();

    private static List<Assignment> Assignments()
    {
        var starts = AssignmentStart().Matches(Bicep).ToList();
        return starts.Select(m =>
        {
            var end = Bicep.IndexOf("\n}", m.Index, StringComparison.Ordinal) is var brace and > 0 ? brace : Bicep.Length;
            var endLoop = Bicep.IndexOf("\n]", m.Index, StringComparison.Ordinal) is var bracket and > 0 ? bracket : Bicep.Length;
            var body = Bicep[m.Index..Math.Min(end, endLoop)];
            var scope = Regex.Match(body, @"\n\s*scope: (\S+)").Groups[1].Value;
            var role = Regex.Match(body, @"roleDefinitions', (\S+)\)").Groups[1].Value;
            var principal = Regex.Match(body, @"principalId: (\S+)").Groups[1].Value;
            return new Assignment(m.Groups[1].Value, scope, role, principal);
        }).ToList();
    }

    [Fact]
    public void The_apps_data_roles_are_scoped_to_the_containers_tables_and_queue_it_uses()
    {
        var app = Assignments().Where(a => a.Principal == "functionApp.identity.principalId").ToList();

        // Only the Blob Delegator (user-delegation keys are an account-level operation) is on the media account.
        Assert.Equal(["roles.storageBlobDelegator"], app.Where(a => a.Scope == "storage").Select(a => a.Role));
        Assert.Contains(app, a => a is { Scope: "containers[i]", Role: "roles.storageBlobDataOwner" });
        Assert.Matches(@"for \(name, i\) in mediaContainerNames: \{\s*name: guid\(containers\[i\]\.id, functionApp\.id, roles\.storageBlobDataOwner\)", Bicep);
        // The state container: Owner, because the delete-condition probe tags a throwaway blob there.
        Assert.Contains(app, a => a is { Scope: "containers[2]", Role: "roles.storageBlobDataOwner" });
        Assert.Contains(app, a => a is { Scope: "operationsQueue", Role: "roles.storageQueueDataContributor" });
        Assert.Contains(app, a => a is { Scope: "auditAnchorContainer", Role: "roles.storageBlobDataContributor" });
        Assert.Contains(app, a => a is { Scope: "tables[i]", Role: "roles.storageTableDataContributor" });
        Assert.Matches(@"for \(name, i\) in tableNames: \{\s*name: guid\(tables\[i\]\.id", Bicep);
        Assert.Contains(app, a => a is { Scope: "poisonQueue", Role: "roles.storageQueueDataContributor" });
        Assert.Contains(app, a => a is { Scope: "hostStorage", Role: "roleId" });
        Assert.DoesNotContain(app, a => a.Role == "roles.storageBlobDataOwner" && a.Scope is not ("containers[i]" or "containers[2]" or "hostStorage"));

        // The indices used above name the containers they claim to.
        Assert.Matches(@"containers@[0-9-]+' = \[\s*for name in \[\s*cctvContainerName\s*callsContainerName\s*stateContainerName\s*deadLetterContainerName\s*\]", Bicep);
        Assert.Matches(@"var mediaContainerNames = \[\s*cctvContainerName\s*callsContainerName\s*\]", Bicep);
        Assert.Matches(@"var tableNames = \[\s*'media'\s*'holds'\s*'audit'\s*'subjectrequests'\s*\]", Bicep);
    }

    [Fact]
    public void The_event_grid_topic_may_write_the_dead_letter_container_only()
    {
        var topic = Assert.Single(Assignments(), a => a.Principal == "systemTopic.identity.principalId");

        Assert.Equal(("containers[3]", "roles.storageBlobDataContributor"), (topic.Scope, topic.Role));
        Assert.Contains("blobContainerName: deadLetterContainerName", Bicep, StringComparison.Ordinal);
    }

    [Fact]
    public void The_functions_host_storage_and_deployment_package_live_in_a_separate_account()
    {
        Assert.Matches(@"resource hostStorage 'Microsoft\.Storage/storageAccounts@[0-9-]+' = \{\s*name: hostStorageAccountName", Bicep);
        Assert.Matches(@"var hostStorageAccountName = take\('sth", Bicep);
        Assert.Matches(@"name: 'AzureWebJobsStorage__accountName'\s*value: hostStorage\.name", Bicep);
        Assert.Contains("value: '${hostStorage.properties.primaryEndpoints.blob}${deploymentContainerName}'", Bicep, StringComparison.Ordinal);
        Assert.Matches(@"resource deploymentContainer [^\n]+\n\s*parent: hostBlobService", Bicep);
        Assert.DoesNotMatch(@"for name in \[[^\]]*deploymentContainerName", Bicep);
    }

    [Fact]
    public void The_phone_hash_key_ring_is_read_from_the_key_vault_with_the_apps_identity()
    {
        Assert.Matches(@"name: 'PhoneHash__KeyVaultUri'\s*value: keyVault\.properties\.vaultUri", Bicep);
        Assert.Matches(@"name: 'PhoneHash__SecretName'\s*value: phoneHashSecretName", Bicep);
        Assert.Matches(@"name: 'Phone__DefaultRegion'\s*value: phoneDefaultRegion", Bicep);
        Assert.Contains(Assignments(), a => a is { Scope: "keyVault", Role: "roleId" } && a.Principal == "functionApp.identity.principalId");
        Assert.Matches(@"for roleId in \[\s*roles\.keyVaultCertificateUser\s*roles\.keyVaultSecretsUser\s*\]", Bicep);
    }
}
