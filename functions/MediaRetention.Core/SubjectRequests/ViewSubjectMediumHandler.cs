using MediaRetention.Core.Media;

namespace MediaRetention.Core.SubjectRequests;

public sealed record ViewSubjectMediumCommand(SubjectRequest Request, string MediaId, string Actor);

/// <summary>
/// A playback link for a medium that matches a request, so the officer can look before choosing what to disclose
/// (CCTV shows other people too). Only media of the request: the privacy role cannot browse footage at large. Each
/// link is a <c>media.viewed</c> audit entry naming the request.
/// </summary>
public sealed class ViewSubjectMediumHandler(SubjectMediaMatcher matcher, IssueMediaViewLinkHandler links)
{
    /// <returns>The link, or null when the medium does not match the request (or does not exist).</returns>
    public async Task<MediaViewLink?> HandleAsync(ViewSubjectMediumCommand command, CancellationToken cancellationToken)
    {
        var matches = await matcher.FindAsync(command.Request.Identifiers, cancellationToken);
        if (!matches.Items.Any(m => m.Id == command.MediaId))
        {
            return null;
        }

        return await links.HandleAsync(new IssueMediaViewLinkCommand(command.MediaId, command.Actor,
            new Dictionary<string, string?> { ["subjectRequestId"] = command.Request.Id }), cancellationToken);
    }
}
