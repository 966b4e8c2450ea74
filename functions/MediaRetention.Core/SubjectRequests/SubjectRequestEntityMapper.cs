using System.Text.Json;
using Azure.Data.Tables;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;

namespace MediaRetention.Core.SubjectRequests;

/// <summary>
/// Subject requests as table rows, and back. Partition <c>request</c> holds the requests (RowKey = id, time-ordered);
/// <c>export|{id}</c> a request's access exports and <c>erasure|{id}</c> its erasure runs. Lists (CCTV places,
/// disclosed ids, kept media) are JSON, bounded by the API so each stays far below Azure's 32K characters per
/// property; every write is checked against Azure's limits anyway. Reading never throws: a row that cannot be read
/// comes back with the reason.
/// </summary>
internal static class SubjectRequestEntityMapper
{
    public const string RequestPartition = "request";

    /// <summary>Below Azure's 32K characters per string property, with room to spare.</summary>
    private const int MaxJsonLength = 30_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string ExportPartition(string requestId) => "export|" + requestId;

    public static string ErasurePartition(string requestId) => "erasure|" + requestId;

    public static TableEntity ToEntity(SubjectRequest r)
    {
        var phone = r.Identifiers.Phone;
        return AzureTableLimits.EnsureWithin(new TableEntity(RequestPartition, r.Id)
        {
            [nameof(SubjectRequest.Type)] = r.Type,
            [nameof(SubjectRequest.Status)] = r.Status,
            [nameof(SubjectRequest.Reference)] = r.Reference,
            [nameof(SubjectRequest.ReceivedAt)] = r.ReceivedAt,
            [nameof(SubjectRequest.DueAt)] = r.DueAt, // for people reading the table; the value used is computed
            [nameof(SubjectRequest.OpenedBy)] = r.OpenedBy,
            [nameof(SubjectRequest.OpenedAt)] = r.OpenedAt,
            [nameof(SubjectRequest.Note)] = r.Note,
            ["PhoneHash"] = phone?.Number.Hash,
            ["PhoneMasked"] = phone?.Number.Masked,
            ["PhoneKeyId"] = phone?.Number.KeyId,
            ["PhoneLookupHashes"] = phone?.Number.LookupHashes is { } lookup ? JsonSerializer.Serialize(lookup, Json) : null,
            ["PhoneFrom"] = phone?.From,
            ["PhoneTo"] = phone?.To,
            ["Cctv"] = JsonSerializer.Serialize(r.Identifiers.Cctv, Json),
            ["ResolvedBy"] = r.Resolution?.By,
            ["ResolvedAt"] = r.Resolution?.At,
            ["Resolution"] = r.Resolution?.Text,
            [nameof(SubjectRequest.LastErasure)] = r.LastErasure is { } erasure ? JsonSerializer.Serialize(erasure, Json) : null,
        });
    }

    public static (SubjectRequest? Request, UnreadableSubjectRequest? Unreadable) Read(TableEntity entity)
    {
        var reader = new EntityReader(entity);
        var id = entity.RowKey ?? "";
        reader.Check(MediaId.IsWellFormed(id), "its id is not 32 lower-case hex characters");
        var type = reader.RequiredString(nameof(SubjectRequest.Type));
        reader.Check(type is "" || SubjectRequestTypes.All.Contains(type), "its type is neither 'access' nor 'erasure'");
        var status = reader.RequiredString(nameof(SubjectRequest.Status));
        reader.Check(status is "" || SubjectRequestStatus.All.Contains(status), "its status is not open, answered or rejected");
        var reference = reader.RequiredString(nameof(SubjectRequest.Reference));
        var receivedAt = reader.RequiredDate(nameof(SubjectRequest.ReceivedAt));
        var openedBy = reader.RequiredString(nameof(SubjectRequest.OpenedBy));
        var openedAt = reader.RequiredDate(nameof(SubjectRequest.OpenedAt));
        var note = reader.OptionalString(nameof(SubjectRequest.Note));
        var phoneHash = reader.OptionalString("PhoneHash");
        var phoneMasked = reader.OptionalString("PhoneMasked");
        var phoneKeyId = reader.OptionalString("PhoneKeyId");
        var phoneLookup = Deserialize<List<string>>(reader, reader.OptionalString("PhoneLookupHashes"), "PhoneLookupHashes");
        var phoneFrom = reader.OptionalDate("PhoneFrom");
        var phoneTo = reader.OptionalDate("PhoneTo");
        reader.Check((phoneHash is null) == (phoneMasked is null), "its phone number has a hash without a mask or a mask without a hash");
        var cctv = Deserialize<List<CctvPlace>>(reader, reader.OptionalString("Cctv"), "Cctv") ?? [];
        reader.Check(cctv.All(p => p is not null && !string.IsNullOrEmpty(p.Site) && p.From < p.To), "a CCTV place has no site or no valid window");
        var resolvedBy = reader.OptionalString("ResolvedBy");
        var resolvedAt = reader.OptionalDate("ResolvedAt");
        var resolution = reader.OptionalString("Resolution");
        var lastErasure = Deserialize<SubjectErasureTotals>(reader, reader.OptionalString(nameof(SubjectRequest.LastErasure)), nameof(SubjectRequest.LastErasure));
        reader.Check(status is SubjectRequestStatus.Open or "" || (resolvedBy is not null && resolvedAt is not null && resolution is not null),
            "it is closed but says nothing of who closed it, when or why");
        if (!reader.Ok)
        {
            return (null, new UnreadableSubjectRequest(id, reader.Reason));
        }

        return (new SubjectRequest
        {
            Id = id,
            Type = type,
            Status = status,
            Reference = reference,
            ReceivedAt = receivedAt,
            OpenedBy = openedBy,
            OpenedAt = openedAt,
            Note = note,
            Identifiers = new SubjectIdentifiers(
                phoneHash is null ? null : new PhoneIdentifier(new SubjectPhone(phoneHash, phoneMasked!) { KeyId = phoneKeyId, LookupHashes = phoneLookup }, phoneFrom, phoneTo),
                cctv),
            Resolution = resolvedBy is null ? null : new SubjectRequestResolution(resolvedBy, resolvedAt!.Value, resolution!),
            LastErasure = lastErasure,
        }, null);
    }

    public static TableEntity ToEntity(string requestId, SubjectDisclosure d) =>
        AzureTableLimits.EnsureWithin(new TableEntity(ExportPartition(requestId), d.Id)
        {
            [nameof(SubjectDisclosure.DisclosedBy)] = d.DisclosedBy,
            [nameof(SubjectDisclosure.DisclosedAt)] = d.DisclosedAt,
            [nameof(SubjectDisclosure.Reason)] = d.Reason,
            [nameof(SubjectDisclosure.MediaIds)] = JsonSerializer.Serialize(d.MediaIds, Json),
            [nameof(SubjectDisclosure.DocumentSha256)] = d.DocumentSha256,
            [nameof(SubjectDisclosure.SignatureKeyId)] = d.SignatureKeyId,
            [nameof(SubjectDisclosure.LinksExpireAt)] = d.LinksExpireAt,
        });

    public static SubjectDisclosure? ReadDisclosure(TableEntity entity)
    {
        var reader = new EntityReader(entity);
        var disclosure = new SubjectDisclosure(
            entity.RowKey,
            reader.RequiredString(nameof(SubjectDisclosure.DisclosedBy)),
            reader.RequiredDate(nameof(SubjectDisclosure.DisclosedAt)),
            reader.RequiredString(nameof(SubjectDisclosure.Reason)),
            Deserialize<List<string>>(reader, reader.OptionalString(nameof(SubjectDisclosure.MediaIds)), nameof(SubjectDisclosure.MediaIds)) ?? [],
            reader.RequiredString(nameof(SubjectDisclosure.DocumentSha256)),
            reader.OptionalString(nameof(SubjectDisclosure.SignatureKeyId)),
            reader.RequiredDate(nameof(SubjectDisclosure.LinksExpireAt)));
        return reader.Ok ? disclosure : null;
    }

    public static TableEntity ToEntity(string requestId, SubjectErasure e) =>
        AzureTableLimits.EnsureWithin(new TableEntity(ErasurePartition(requestId), e.Totals.ErasureId)
        {
            ["Totals"] = JsonSerializer.Serialize(e.Totals, Json),
            ["Kept"] = FittingJson(e.Kept),
        });

    /// <summary>
    /// The kept media as JSON within one string property: a medium can be kept by any number of holds, so the list is
    /// cut from the end until it fits (the totals still count them all; the audit entries name every deletion).
    /// </summary>
    private static string FittingJson(IReadOnlyList<KeptMedium> kept)
    {
        var list = kept.ToList();
        var json = JsonSerializer.Serialize(list, Json);
        while (json.Length > MaxJsonLength && list.Count > 0)
        {
            list.RemoveRange(list.Count - Math.Max(1, list.Count / 10), Math.Max(1, list.Count / 10));
            json = JsonSerializer.Serialize(list, Json);
        }

        return json;
    }

    public static SubjectErasure? ReadErasure(TableEntity entity)
    {
        var reader = new EntityReader(entity);
        var totals = Deserialize<SubjectErasureTotals>(reader, reader.OptionalString("Totals"), "Totals");
        var kept = Deserialize<List<KeptMedium>>(reader, reader.OptionalString("Kept"), "Kept") ?? [];
        return reader.Ok && totals is not null ? new SubjectErasure(totals, kept) : null;
    }

    private static T? Deserialize<T>(EntityReader reader, string? json, string name)
        where T : class
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, Json);
        }
        catch (JsonException)
        {
            reader.Check(false, $"'{name}' is not valid JSON of the expected shape");
            return null;
        }
    }
}
