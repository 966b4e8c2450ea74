using MediaRetention.Api.Audit;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Evidence;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Api.Operations;
using MediaRetention.Api.Http;
using MediaRetention.Api.Retention;
using MediaRetention.Api.SubjectRequests;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.SubjectRequests;
using MediaRetention.Api.WebConsole;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api;

/// <summary>
/// The HTTP API's routes, below <c>/api</c>. The Functions app declares the same templates on its
/// HttpTriggers (host.json sets an empty route prefix, so the web console can be served at <c>/</c> from the same
/// origin); the runner maps them here.
/// </summary>
public static class ApiRoutes
{
    public const string Me = "api/me";
    public const string Media = "api/media";
    public const string MediaById = "api/media/{id}";
    public const string MediaLink = "api/media/{id}/link";
    public const string Holds = "api/holds";
    public const string HoldPreview = "api/holds/preview";
    public const string HoldById = "api/holds/{id}";
    public const string HoldRelease = "api/holds/{id}/release";
    public const string HoldApprove = "api/holds/{id}/approve";
    public const string HoldReject = "api/holds/{id}/reject";
    public const string PhoneHashRekey = "api/maintenance/phone-hashes/rekey";
    public const string LookupRowsBackfill = "api/maintenance/lookup-rows/backfill";
    public const string HoldEvidence = "api/holds/{id}/evidence";
    public const string HoldEvidenceManifest = "api/holds/{id}/evidence/manifest";
    public const string HoldEvidenceVerify = "api/holds/{id}/evidence/verify";
    public const string EvidenceSigningKeys = "api/evidence/signing-keys";
    public const string Audit = "api/audit";
    public const string AuditVerify = "api/audit/verify";
    public const string RetentionPreview = "api/retention/preview";
    public const string RetentionSweep = "api/retention/sweep";
    public const string Operation = "api/operations/{id}";
    public const string SubjectRequests = "api/subject-requests";
    public const string SubjectRequestById = "api/subject-requests/{id}";
    public const string SubjectRequestMediumLink = "api/subject-requests/{id}/media/{mediaId}/link";
    public const string SubjectRequestExport = "api/subject-requests/{id}/export";
    public const string SubjectRequestErasurePreview = "api/subject-requests/{id}/erasure/preview";
    public const string SubjectRequestErasure = "api/subject-requests/{id}/erasure";
    public const string SubjectRequestAnswer = "api/subject-requests/{id}/answer";
    public const string SubjectRequestReject = "api/subject-requests/{id}/reject";

    /// <summary>The web console: every other GET path. Routing prefers any API route over this catch-all.</summary>
    public const string ConsoleFiles = "{**path}";

    public static IServiceCollection AddMediaRetentionApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<ICallerAuthenticator>(sp =>
            sp.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthOptions.AppServiceMode
                ? new AppServicePrincipalAuthenticator(AppServicePlatform.IsAuthenticationEnabled(configuration))
                : ActivatorUtilities.CreateInstance<ApiKeyAuthenticator>(sp));
        services.AddHostedService<AuthStartupCheck>();
        services.AddOptions<AbuseOptions>().Bind(configuration.GetSection(AbuseOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FailedAuthenticationLimiter>();
        services.TryAddSingleton<DenialAudit>();
        services.AddHostedService<DenialAuditFlushService>();
        services.TryAddSingleton<ApiAccess>();
        services.TryAddSingleton<MeEndpoints>();
        services.TryAddSingleton<ConsoleAssets>();
        services.TryAddSingleton<ConsoleEndpoints>();
        services.TryAddSingleton<MediaEndpoints>();
        services.TryAddSingleton<HoldMarkingViews>();
        services.TryAddSingleton<HoldEndpoints>();
        services.TryAddSingleton<AuditEndpoints>();
        services.TryAddSingleton<RetentionEndpoints>();
        services.TryAddSingleton<EvidenceEndpoints>();
        services.TryAddSingleton<SigningKeyEndpoints>();
        services.TryAddSingleton<OperationEndpoints>();
        services.TryAddSingleton<SubjectRequestEndpoints>();
        services.TryAddSingleton<MediaRetention.Api.Maintenance.PhoneHashEndpoints>();
        services.TryAddSingleton<MediaRetention.Api.Maintenance.LookupRowsEndpoints>();
        return services;
    }

    /// <summary>
    /// Maps every route, with the metadata the runner's OpenAPI document is made of: summary, roles, query
    /// parameters, request and response bodies, and the problem responses each route can give. Operation ids are the
    /// Functions app's function names.
    /// </summary>
    public static IEndpointRouteBuilder MapMediaRetentionApi(this IEndpointRouteBuilder app)
    {
        const int BadRequest = StatusCodes.Status400BadRequest;
        const int NotFound = StatusCodes.Status404NotFound;
        const int Conflict = StatusCodes.Status409Conflict;
        const int TooLarge = StatusCodes.Status413PayloadTooLarge;
        const int UnsupportedMediaType = StatusCodes.Status415UnsupportedMediaType;
        const string PoliceOwnAgency = "Police keys see only their own agency's holds; another agency's hold is a 404, as if it did not exist.";
        var linkLifetime = QueryParameter.Text("linkLifetime",
            $"How long the links work: an ISO 8601 duration from PT1M to {MediaRetention.Core.Evidence.EvidenceLinkPolicy.MaxLifetimeText} (default Evidence:LinkLifetime, 1 hour).") with { Format = "duration" };

        app.MapGet(Me, (HttpRequest r, MeEndpoints e, CancellationToken ct) => e.GetAsync(r, ct))
            .WithName("GetMe").WithTags("Console")
            .WithSummary("Who the caller is: name, role and, for police, agency")
            .WithDescription("The web console asks this after sign-in to show only what the role may do.")
            .RequireRoles(Roles.All)
            .Produces<MeResponse>()
            .ProducesAccessProblems();

        app.MapGet(Media, (HttpRequest r, MediaEndpoints e, CancellationToken ct) => e.ListAsync(r, ct))
            .WithName("ListMedia").WithTags("Media")
            .WithSummary("List indexed media")
            .WithDescription("`from`/`to` filter on the recording time (upload time for Rejected media), both inclusive. A page may hold fewer items than pageSize; follow continuationToken until it is null.")
            .RequireRoles(MediaEndpoints.Readers)
            .WithQuery(
                QueryParameter.OneOf("kind", "Only CCTV clips or only calls.", MediaKind.Cctv, MediaKind.Call),
                QueryParameter.Text("site", "CCTV site."),
                QueryParameter.Text("camera", "CCTV camera (needs site)."),
                QueryParameter.Text("system", "Phone system."),
                QueryParameter.Text("callId", "Call id."),
                QueryParameter.Time("from", "Earliest recording time."),
                QueryParameter.Time("to", "Latest recording time."),
                QueryParameter.OneOf("status", "Indexed (follows the upload contract) or Rejected.", MediaStatus.Indexed, MediaStatus.Rejected),
                QueryParameter.PageSize(),
                QueryParameter.ContinuationToken)
            .Produces<MediaListResponse>()
            .ProducesProblems(BadRequest).ProducesAccessProblems();

        app.MapGet(MediaById, (HttpRequest r, string id, MediaEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct))
            .WithName("GetMedia").WithTags("Media")
            .WithSummary("Get one medium and the active holds that cover it")
            .RequireRoles(MediaEndpoints.Readers)
            .Produces<MediaView>()
            .ProducesProblems(NotFound).ProducesAccessProblems();

        app.MapGet(MediaLink, (HttpRequest r, string id, MediaEndpoints e, CancellationToken ct) => e.LinkAsync(r, id, ct))
            .WithName("GetMediaLink").WithTags("Media")
            .WithSummary("A short-lived read-only link to play one medium")
            .WithDescription("The same link rules as evidence (reads exactly that blob, expires at urlExpiresAt; Media:ViewLinkLifetime). Every link issued is audited (media.viewed).")
            .RequireRoles(MediaEndpoints.Readers)
            .Produces<MediaLinkResponse>()
            .ProducesProblems(NotFound).ProducesAccessProblems();

        app.MapPost(Holds, (HttpRequest r, HoldEndpoints e, CancellationToken ct) => e.PlaceAsync(r, ct))
            .WithName("PlaceHold").WithTags("Holds")
            .WithSummary("Place a legal hold (police: request preservation)")
            .WithDescription("Nothing the hold covers is deleted until it is released; a window hold also covers media uploaded later. Security and admin holds are active at once. A police hold is stored 'requested': it preserves at once, but shows the police nothing of what it covers (coveredMedia null) until security or an admin approves it. Police limits: Holds:PoliceMaxWindow (400) and Holds:PoliceMaxOpenRequests per agency (429). A phone number is parsed to E.164 (Phone:DefaultRegion); an invalid one is a 400. warnings says when the hold covers nothing indexed now. Unknown fields are a 400 naming them. " +
                "A hold covering more than Holds:InlineMarkLimit media is answered 202 (security, admin): it is in force at once, its first media are marked held, and an operation (Location: /api/operations/{id}; marking.operationId) marks the rest in the background; coveredMedia is then null and marking.state inProgress. Otherwise 201 with marking.state complete.")
            .RequireRoles(HoldEndpoints.Readers, "Police keys place holds for their own agency only (403 otherwise), as requests.")
            .WithHeader(new HeaderParameter(HoldEndpoints.IdempotencyKeyHeader,
                "Makes the placement safe to retry: the same key (per caller) with the same body answers 200 (same body shape as the 201) with the hold the first request placed; " +
                "with another body, 409. 1 to 200 visible ASCII characters, e.g. a UUID.", HoldEndpoints.MaxIdempotencyKeyLength))
            .Accepts<PlaceHoldRequest>("application/json")
            .Produces<PlacedHoldResponse>(StatusCodes.Status201Created)
            .Produces<PlacedHoldResponse>(StatusCodes.Status202Accepted)
            .WithMetadata(new AcceptedOperation("/" + Operation))
            .ProducesProblems(BadRequest, TooLarge, UnsupportedMediaType, StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable).ProducesAccessProblems();

        app.MapPost(HoldPreview, (HttpRequest r, HoldEndpoints e, CancellationToken ct) => e.PreviewAsync(r, ct))
            .WithName("PreviewHold").WithTags("Holds")
            .WithSummary("What a hold would cover, without placing it")
            .WithDescription("The same body and validation as placing a hold; nothing is stored, marked or audited. Police get the validated scope only (coveredMedia and items null): what a request covers is shown once it is approved.")
            .RequireRoles(HoldEndpoints.Readers, "Police keys preview holds for their own agency only (403 otherwise).")
            .Accepts<PlaceHoldRequest>("application/json")
            .Produces<HoldPreviewResponse>()
            .ProducesProblems(BadRequest, TooLarge, UnsupportedMediaType).ProducesAccessProblems();

        app.MapGet(Holds, (HttpRequest r, HoldEndpoints e, CancellationToken ct) => e.ListAsync(r, ct))
            .WithName("ListHolds").WithTags("Holds")
            .WithSummary("List legal holds")
            .RequireRoles(HoldEndpoints.Readers, PoliceOwnAgency)
            .WithQuery(
                QueryParameter.OneOf("status", "Which holds (default active); requested: police preservation requests waiting for review, oldest first.", [.. HoldStatus.All, "all"]),
                QueryParameter.PageSize(),
                QueryParameter.ContinuationToken)
            .Produces<HoldListResponse>()
            .ProducesProblems(BadRequest).ProducesAccessProblems();

        app.MapGet(HoldById, (HttpRequest r, string id, HoldEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct))
            .WithName("GetHold").WithTags("Holds")
            .WithSummary("Get a hold and a page of the media it covers")
            .WithDescription("For police, a requested or rejected hold has coveredMedia null: its case data and status only. marking (security, admin): whether every covered blob is marked held yet: complete, inProgress (operationId marks the rest), stopped (released first) or failed; the hold is in force whatever it says.")
            .RequireRoles(HoldEndpoints.Readers, PoliceOwnAgency)
            .WithQuery(QueryParameter.PageSize(), QueryParameter.ContinuationToken)
            .Produces<HoldDetailResponse>()
            .ProducesProblems(BadRequest, NotFound).ProducesAccessProblems();

        app.MapPost(HoldRelease, (HttpRequest r, string id, HoldEndpoints e, CancellationToken ct) => e.ReleaseAsync(r, id, ct))
            .WithName("ReleaseHold").WithTags("Holds")
            .WithSummary("Release a hold")
            .WithDescription("The hold stays on record as released (who, when, why); its media become subject to retention again unless another hold covers them. Already released: 409.")
            .RequireRoles(HoldEndpoints.Releasers, "Police keys never release.")
            .Accepts<ReleaseHoldRequest>("application/json")
            .Produces<HoldView>()
            .ProducesProblems(BadRequest, NotFound, Conflict, TooLarge, UnsupportedMediaType).ProducesAccessProblems();

        app.MapPost(HoldApprove, (HttpRequest r, string id, HoldEndpoints e, CancellationToken ct) => e.ApproveAsync(r, id, ct))
            .WithName("ApproveHold").WithTags("Holds")
            .WithSummary("Approve a police preservation request, optionally narrowing its scope")
            .WithDescription("{ reason, scope? }. The request becomes active; scope, when given, replaces the requested one and must lie within it (same type and target; a window inside; cameras or media ids a subset; a phone scope may leave out the number): otherwise 400. The requested scope stays on the record (requestedScope) and in the hold.approved audit entry. An approved scope covering more than Holds:InlineMarkLimit media is marked in the background: marking.state inProgress with its operationId, coveredMedia null. Not a request waiting for review: 409.")
            .RequireRoles(HoldEndpoints.Reviewers, "Police never review requests.")
            .Accepts<ApproveHoldRequest>("application/json")
            .Produces<ReviewedHoldResponse>()
            .ProducesProblems(BadRequest, NotFound, Conflict, TooLarge, UnsupportedMediaType).ProducesAccessProblems();

        app.MapPost(HoldReject, (HttpRequest r, string id, HoldEndpoints e, CancellationToken ct) => e.RejectAsync(r, id, ct))
            .WithName("RejectHold").WithTags("Holds")
            .WithSummary("Reject a police preservation request")
            .WithDescription("{ reason }. The request is kept as rejected and preserves nothing from then on (like a release). Audited as hold.rejected. Not a request waiting for review: 409.")
            .RequireRoles(HoldEndpoints.Reviewers, "Police never review requests.")
            .Accepts<RejectHoldRequest>("application/json")
            .Produces<ReviewedHoldResponse>()
            .ProducesProblems(BadRequest, NotFound, Conflict, TooLarge, UnsupportedMediaType).ProducesAccessProblems();

        app.MapGet(HoldEvidence, (HttpRequest r, string id, EvidenceEndpoints e, CancellationToken ct) => e.PageAsync(r, id, ct))
            .WithName("GetEvidence").WithTags("Evidence")
            .WithSummary("A page of a hold's media, each with a read-only link")
            .WithDescription("Each call is audited (evidence.links). A non-null continuationToken means more pages. Active holds only: a requested, rejected or released hold is a 409.")
            .RequireRoles(EvidenceEndpoints.Readers, PoliceOwnAgency)
            .WithQuery(QueryParameter.PageSize(EvidenceEndpoints.DefaultPageSize, EvidenceEndpoints.MaxPageSize), QueryParameter.ContinuationToken, linkLifetime)
            .Produces<EvidencePageDocument>()
            .ProducesProblems(BadRequest, NotFound, Conflict).ProducesAccessProblems();

        app.MapGet(HoldEvidenceManifest, (HttpRequest r, string id, EvidenceEndpoints e, CancellationToken ct) => e.ManifestAsync(r, id, ct))
            .WithName("GetEvidenceManifest").WithTags("Evidence")
            .WithSummary("The sealed evidence manifest of a hold, as a download")
            .WithDescription("Every covered medium with its ingest SHA-256 and a link; documentSha256 seals the document. Streamed page by page as canonical JSON with documentSha256 as the last member; a body that ends early is a broken download. Audited (evidence.links per page before it is sent, evidence.manifest with the seal); scripts/fetch-evidence.mjs checks it. Active holds only (409 otherwise).")
            .RequireRoles(EvidenceEndpoints.Readers, PoliceOwnAgency)
            .WithQuery(linkLifetime)
            .Produces<EvidenceManifestDocument>(StatusCodes.Status200OK, "application/json")
            .ProducesProblems(BadRequest, NotFound, Conflict).ProducesAccessProblems();

        app.MapPost(HoldEvidenceVerify, (HttpRequest r, string id, EvidenceEndpoints e, CancellationToken ct) => e.VerifyAsync(r, id, ct))
            .WithName("VerifyEvidence").WithTags("Evidence")
            .WithSummary("Re-hash every medium of a hold and report altered or missing ones, as an operation")
            .WithDescription("Answers 202 with an operation in Location (GET /api/operations/{id}); its result, once succeeded, is an EvidenceVerificationResponse. Active holds only (409 otherwise, before any operation starts). Police of the hold's agency may read it. 503: it could not be handed to a worker.")
            .RequireRoles(EvidenceEndpoints.Readers, PoliceOwnAgency)
            .ProducesOperation()
            .ProducesProblems(NotFound, Conflict, UnsupportedMediaType, StatusCodes.Status503ServiceUnavailable).ProducesAccessProblems();

        app.MapGet(EvidenceSigningKeys, (HttpRequest r, SigningKeyEndpoints e, CancellationToken ct) => e.GetAsync(r, ct))
            .WithName("GetEvidenceSigningKeys").WithTags("Evidence")
            .WithSummary("The public keys that sign evidence manifests (JWKS)")
            .WithDescription("Anonymous on purpose: public keys are not secret, and a court or a defence expert must be able to fetch them years later. Every key that ever signed stays listed after a rotation. 503 when no signing key is available.")
            .RequireRoles([])
            .Produces(StatusCodes.Status200OK, contentType: SigningKeyEndpoints.ContentType)
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable);

        app.MapGet(Audit, (HttpRequest r, AuditEndpoints e, CancellationToken ct) => e.ListAsync(r, ct))
            .WithName("ListAudit").WithTags("Audit")
            .WithSummary("Audit log entries, in sequence order")
            .RequireRoles(AuditEndpoints.Admins)
            .WithQuery(
                QueryParameter.Time("from", "Earliest entry time (inclusive)."),
                QueryParameter.Time("to", "Latest entry time (exclusive)."),
                QueryParameter.PageSize(),
                QueryParameter.ContinuationToken)
            .Produces<AuditPage>()
            .ProducesProblems(BadRequest).ProducesAccessProblems();

        app.MapGet(AuditVerify, (HttpRequest r, AuditEndpoints e, CancellationToken ct) => e.VerifyAsync(r, ct))
            .WithName("VerifyAudit").WithTags("Audit")
            .WithSummary("Walk the audit chain and report where it is broken")
            .WithDescription("Without parameters: the whole chain in this request (an AuditVerification; for long chains POST starts it as an operation). With from (a sequence, or 'anchor' for the last anchored entry; default 'anchor'), pageSize (1-10000, default 1000) or continuationToken: one page (an AuditVerificationPageResponse) whose cost does not grow with the chain; continuationToken resumes at the next entry, first re-checking the hash the previous page ended on.")
            .RequireRoles(AuditEndpoints.Admins)
            .WithQuery(
                QueryParameter.Text("from", "A sequence number, or 'anchor' (the last anchored entry)."),
                QueryParameter.Number("pageSize", "Entries per page (default 1000).", 1, 10_000),
                QueryParameter.ContinuationToken)
            .Produces<AuditVerification>()
            .Produces<AuditVerificationPageResponse>()
            .ProducesProblems(BadRequest).ProducesAccessProblems();

        app.MapPost(AuditVerify, (HttpRequest r, AuditEndpoints e, CancellationToken ct) => e.StartVerifyAsync(r, ct))
            .WithName("StartAuditVerify").WithTags("Audit")
            .WithSummary("Verify the whole audit chain as an operation")
            .WithDescription("Answers 202 with an operation in Location (GET /api/operations/{id}); progress counts the entries checked; its result, once succeeded, is the AuditVerification GET /api/audit/verify answers (breaks listed up to 1000, breaksFound counts all). 503: it could not be handed to a worker.")
            .RequireRoles(AuditEndpoints.Admins)
            .ProducesOperation()
            .ProducesProblems(UnsupportedMediaType, StatusCodes.Status503ServiceUnavailable).ProducesAccessProblems();

        app.MapGet(RetentionPreview, (HttpRequest r, RetentionEndpoints e, CancellationToken ct) => e.PreviewAsync(r, ct))
            .WithName("PreviewRetention").WithTags("Retention")
            .WithSummary("What the next sweep would delete, and which holds keep what")
            .RequireRoles(RetentionEndpoints.Admins)
            .WithQuery(QueryParameter.Number("limit", "Most media listed per list (default 1000); counts are always complete.", 1, 10_000))
            .Produces<RetentionPreview>()
            .ProducesProblems(BadRequest).ProducesAccessProblems();

        app.MapPost(RetentionSweep, (HttpRequest r, RetentionEndpoints e, CancellationToken ct) => e.SweepAsync(r, ct))
            .WithName("SweepRetention").WithTags("Retention")
            .WithSummary("Run a retention sweep now, as an operation")
            .WithDescription("Answers 202 with an operation in Location (GET /api/operations/{id}); its result, once succeeded, is the sweep's SweepSummary. Another sweep running or queued anywhere on the account: 409. 503: it could not be handed to a worker.")
            .RequireRoles(RetentionEndpoints.Admins)
            .ProducesOperation()
            .ProducesProblems(Conflict, UnsupportedMediaType, StatusCodes.Status503ServiceUnavailable).ProducesAccessProblems();

        app.MapGet(Operation, (HttpRequest r, string id, OperationEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct))
            .WithName("GetOperation").WithTags("Operations")
            .WithSummary("How a sweep or an evidence re-check is doing, and its result once done")
            .WithDescription("status is queued, running, succeeded or failed; progress shows what the work has done so far; result (succeeded) is a SweepSummary or an EvidenceVerificationResponse; error (failed) is the status, title and detail the synchronous route would have answered. Unfinished: Retry-After says when to ask again. Operations are kept 7 days (Operations:KeepFor).")
            .RequireRoles(OperationEndpoints.Readers, "Only the roles that may start that kind of operation read it, police only their own agency's evidence checks; anyone else gets a 404 (audited), as if it did not exist.")
            .Produces<OperationView>()
            .ProducesProblems(NotFound).ProducesAccessProblems();

        MapSubjectRequests(app);
        app.MapPost(PhoneHashRekey, (HttpRequest r, MediaRetention.Api.Maintenance.PhoneHashEndpoints e, CancellationToken ct) => e.RekeyAsync(r, ct))
            .WithName("RekeyPhoneHashes").WithTags("Maintenance")
            .WithSummary("Re-key stored phone hashes to the current key (one resumable run)")
            .WithDescription("{ continuationToken?, maxRows? (1-50000, default 5000) }. Rewrites legacy (unkeyed SHA-256) and older-key phone hashes in the holds and the media index to the current key of PhoneHash's ring, without the numbers. Idempotent; run again with continuationToken until it is null. Each run is audited (phone-hashes.rekeyed), each re-keyed hold too (hold.rekeyed).")
            .RequireRoles(MediaRetention.Api.Maintenance.PhoneHashEndpoints.Admins)
            .Accepts<MediaRetention.Api.Maintenance.RekeyPhoneHashesRequest>("application/json")
            .Produces<MediaRetention.Core.Phones.RekeyPhoneHashesReport>()
            .ProducesProblems(BadRequest, TooLarge, UnsupportedMediaType).ProducesAccessProblems();
        app.MapPost(LookupRowsBackfill, (HttpRequest r, MediaRetention.Api.Maintenance.LookupRowsEndpoints e, CancellationToken ct) => e.StartBackfillAsync(r, ct))
            .WithName("BackfillLookupRows").WithTags("Maintenance")
            .WithSummary("Backfill the phone and camera lookup rows, then switch phone and camera queries to them (an operation)")
            .WithDescription("Answers 202 with an operation in Location (GET /api/operations/{id}); progress counts the record rows visited and the rows added; its result, once succeeded, is a BackfillLookupRowsReport. Inserts the phone-hash and camera rows media indexed before layout version 2 lack, and after a walk over every record writes the marker from which phone holds, camera holds and subject requests by phone read those rows (until then they read every call or clip of the window). Idempotent: run it again any time (a repeat only repairs). Start it once every host runs this version. Audited (media.lookup-rows-backfilled). 503: it could not be handed to a worker.")
            .RequireRoles(MediaRetention.Api.Maintenance.LookupRowsEndpoints.Admins)
            .ProducesOperation()
            .ProducesProblems(UnsupportedMediaType, StatusCodes.Status503ServiceUnavailable).ProducesAccessProblems();
        return app;
    }

    /// <summary>Data-subject requests: the privacy officer's (and admin's) routes.</summary>
    private static void MapSubjectRequests(IEndpointRouteBuilder app)
    {
        const int BadRequest = StatusCodes.Status400BadRequest;
        const int NotFound = StatusCodes.Status404NotFound;
        const int Conflict = StatusCodes.Status409Conflict;
        const int TooLarge = StatusCodes.Status413PayloadTooLarge;
        const int UnsupportedMediaType = StatusCodes.Status415UnsupportedMediaType;
        const int Unavailable = StatusCodes.Status503ServiceUnavailable;
        var officers = SubjectRequestEndpoints.Officers;

        app.MapPost(SubjectRequests, (HttpRequest r, SubjectRequestEndpoints e, CancellationToken ct) => e.OpenAsync(r, ct))
            .WithName("OpenSubjectRequest").WithTags("Subject requests")
            .WithSummary("Open a data-subject request (access or erasure)")
            .WithDescription("dueAt = receivedAt + 30 days. Identify the subject by a phone number (optionally a window) and/or CCTV places and times; the number is kept only hashed and masked. Audited (subject-request.opened).")
            .RequireRoles(officers)
            .Accepts<OpenSubjectRequestRequest>("application/json")
            .Produces<SubjectRequestView>(StatusCodes.Status201Created)
            .ProducesProblems(BadRequest, TooLarge, UnsupportedMediaType).ProducesAccessProblems();

        app.MapGet(SubjectRequests, (HttpRequest r, SubjectRequestEndpoints e, CancellationToken ct) => e.ListAsync(r, ct))
            .WithName("ListSubjectRequests").WithTags("Subject requests")
            .WithSummary("The queue of data-subject requests: overdue first, then by due date")
            .WithDescription("overdue: open and past dueAt, by the clock now. overdueCount counts them over the whole listing.")
            .RequireRoles(officers)
            .WithQuery(
                QueryParameter.OneOf("status", "Which requests (default all).", [.. SubjectRequestStatus.All, "all"]),
                QueryParameter.PageSize(),
                QueryParameter.ContinuationToken)
            .Produces<SubjectRequestListResponse>()
            .ProducesProblems(BadRequest).ProducesAccessProblems();

        app.MapGet(SubjectRequestById, (HttpRequest r, string id, SubjectRequestEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct))
            .WithName("GetSubjectRequest").WithTags("Subject requests")
            .WithSummary("A request, the media that match it now (with the holds that keep them), and what the subject would be told")
            .WithDescription($"At most {SubjectRequestEndpoints.MaxListed} matches are listed; matches.count is complete. Also lists the request's exports and erasure runs.")
            .RequireRoles(officers)
            .Produces<SubjectRequestDetailResponse>()
            .ProducesProblems(NotFound).ProducesAccessProblems();

        app.MapGet(SubjectRequestMediumLink, (HttpRequest r, string id, string mediaId, SubjectRequestEndpoints e, CancellationToken ct) => e.MediumLinkAsync(r, id, mediaId, ct))
            .WithName("GetSubjectMediumLink").WithTags("Subject requests")
            .WithSummary("A short-lived read link to play a medium that matches the request")
            .WithDescription("For the officer to look before choosing what to disclose; only media that match the request (404 otherwise). Audited (media.viewed with subjectRequestId).")
            .RequireRoles(officers)
            .Produces<MediaLinkResponse>()
            .ProducesProblems(NotFound).ProducesAccessProblems();

        app.MapPost(SubjectRequestExport, (HttpRequest r, string id, SubjectRequestEndpoints e, CancellationToken ct) => e.ExportAsync(r, id, ct))
            .WithName("ExportSubjectAccess").WithTags("Subject requests")
            .WithSummary("Access: disclose chosen media as a signed, sealed export (read-only links), with a plain-language summary")
            .WithDescription("Each media id must match the request; the choice and its reason are recorded (subject-request.disclosed). The same format as an evidence manifest: scripts/fetch-evidence.mjs verifies it. 503 when no signing key is available.")
            .RequireRoles(officers)
            .Accepts<SubjectExportRequest>("application/json")
            .Produces<SubjectAccessManifestDocument>(StatusCodes.Status200OK, "application/json")
            .ProducesProblems(BadRequest, NotFound, Conflict, TooLarge, UnsupportedMediaType, Unavailable).ProducesAccessProblems();

        app.MapPost(SubjectRequestErasurePreview, (HttpRequest r, string id, SubjectRequestEndpoints e, CancellationToken ct) => e.PreviewErasureAsync(r, id, ct))
            .WithName("PreviewSubjectErasure").WithTags("Subject requests")
            .WithSummary("Erasure dry run: what would be deleted and what holds keep")
            .WithDescription("Deletes, marks and audits nothing. needsConfirmation: the erasure needs confirmCount = wouldDelete.")
            .RequireRoles(officers)
            .Produces<ErasurePreviewResponse>()
            .ProducesProblems(NotFound, Conflict, UnsupportedMediaType).ProducesAccessProblems();

        app.MapPost(SubjectRequestErasure, (HttpRequest r, string id, SubjectRequestEndpoints e, CancellationToken ct) => e.EraseAsync(r, id, ct))
            .WithName("EraseSubjectData").WithTags("Subject requests")
            .WithSummary("Erasure: delete every matching medium no hold keeps")
            .WithDescription("The retention sweep's conditional delete: a hold placed meanwhile still wins. Each deletion is audited (media.deleted with subjectRequestId), index rows and phone hashes go. Above SubjectRequests:ErasureConfirmationThreshold it needs confirmCount (409 otherwise).")
            .RequireRoles(officers)
            .Accepts<SubjectErasureRequest>("application/json")
            .Produces<ErasureResponse>()
            .ProducesProblems(BadRequest, NotFound, Conflict, TooLarge, UnsupportedMediaType, Unavailable).ProducesAccessProblems();

        app.MapPost(SubjectRequestAnswer, (HttpRequest r, string id, SubjectRequestEndpoints e, CancellationToken ct) => e.AnswerAsync(r, id, ct))
            .WithName("AnswerSubjectRequest").WithTags("Subject requests")
            .WithSummary("Answer a request: records answeredAt and who answered")
            .WithDescription("Only once it is done: an access export issued, or an erasure that left nothing undeleted but what holds keep (409 otherwise). Audited (subject-request.answered).")
            .RequireRoles(officers)
            .Accepts<SubjectAnswerRequest>("application/json")
            .Produces<SubjectRequestView>()
            .ProducesProblems(BadRequest, NotFound, Conflict, TooLarge, UnsupportedMediaType).ProducesAccessProblems();

        app.MapPost(SubjectRequestReject, (HttpRequest r, string id, SubjectRequestEndpoints e, CancellationToken ct) => e.RejectAsync(r, id, ct))
            .WithName("RejectSubjectRequest").WithTags("Subject requests")
            .WithSummary("Reject a request, with the reason")
            .WithDescription("Audited (subject-request.rejected, with the reason).")
            .RequireRoles(officers)
            .Accepts<SubjectRejectRequest>("application/json")
            .Produces<SubjectRequestView>()
            .ProducesProblems(BadRequest, NotFound, Conflict, TooLarge, UnsupportedMediaType).ProducesAccessProblems();
    }

    /// <summary>The web console at <c>/</c>; map it after <see cref="MapMediaRetentionApi"/>.</summary>
    public static IEndpointRouteBuilder MapMediaRetentionConsole(this IEndpointRouteBuilder app)
    {
        app.MapMethods(ConsoleFiles, [HttpMethods.Get, HttpMethods.Head], (HttpRequest r, string? path, ConsoleEndpoints e) => e.Serve(r, path));
        return app;
    }
}
