using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MediaRetention.Api.Http;

/// <summary>
/// Finds the members of a JSON request that the request type does not have, with their paths
/// (<c>scope.fromm</c>), so a misspelt <c>reviewDate</c> is a 400 naming it instead of a hold placed without one.
/// </summary>
/// <remarks>
/// The deserializer's own <see cref="System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow"/> stops at the
/// first unknown member and says so in English prose with the .NET type name; this walks the document against the
/// same contract (names as the options match them, nested objects and arrays of objects) to name every one.
/// </remarks>
public static class UnknownJsonMembers
{
    private const int MaxReported = 10;

    public static IReadOnlyList<string> Find(JsonElement json, Type type, JsonSerializerOptions options)
    {
        var found = new List<string>();
        Walk(json, options.GetTypeInfo(type), "", options, found);
        return found;
    }

    private static void Walk(JsonElement json, JsonTypeInfo contract, string path, JsonSerializerOptions options, List<string> found)
    {
        if (found.Count >= MaxReported)
        {
            return;
        }

        switch (contract.Kind)
        {
            case JsonTypeInfoKind.Object when json.ValueKind == JsonValueKind.Object:
                var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                foreach (var member in json.EnumerateObject())
                {
                    var property = contract.Properties.FirstOrDefault(p => string.Equals(p.Name, member.Name, comparison));
                    var memberPath = path.Length == 0 ? member.Name : path + "." + member.Name;
                    if (property is null)
                    {
                        found.Add(memberPath);
                    }
                    else
                    {
                        Walk(member.Value, options.GetTypeInfo(property.PropertyType), memberPath, options, found);
                    }
                }

                break;

            case JsonTypeInfoKind.Enumerable when json.ValueKind == JsonValueKind.Array && contract.ElementType is { } elementType:
                var element = options.GetTypeInfo(elementType);
                var index = 0;
                foreach (var item in json.EnumerateArray())
                {
                    Walk(item, element, $"{path}[{index++}]", options, found);
                }

                break;
        }
    }

    /// <summary>The problem detail for the members found: "'reviewDat' is not a known field ...".</summary>
    public static string Describe(IReadOnlyList<string> members) => members.Count == 1
        ? $"'{members[0]}' is not a known field of this request; check its spelling."
        : $"{string.Join(", ", members.Select(m => $"'{m}'"))} are not known fields of this request; check their spelling.";
}
