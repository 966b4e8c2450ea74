using System.Text.RegularExpressions;

namespace MediaRetention.Core.Media;

/// <summary>
/// The one rule for blob names in logs and audit entries. Phone systems often name files by number, and a name that
/// broke the upload contract may hold anything: every run of <see cref="MinimumMaskedRun"/> or more digits is masked but
/// its last two ("pbx/+4791234567.wav" → "pbx/+********67.wav"). The contract's own timestamp
/// (<c>yyyyMMddTHHmmssZ</c>) is kept: it is no personal data, and without it a name says nothing to whoever reads the log.
/// The media id (a hash of the exact name) still identifies the blob.
/// </summary>
public static partial class NameMasking
{
    /// <summary>Shorter runs (camera numbers, call counters) stay readable; a phone number has at least six digits.</summary>
    public const int MinimumMaskedRun = 6;

    [GeneratedRegex(@"\d{8}T\d{6}Z")]
    private static partial Regex ContractTimestamp();

    [GeneratedRegex(@"\d{6,}")]
    private static partial Regex LongDigitRun();

    public static string BlobName(string name)
    {
        if (name.Length == 0)
        {
            return name;
        }

        var kept = new bool[name.Length];
        foreach (Match timestamp in ContractTimestamp().Matches(name))
        {
            Array.Fill(kept, true, timestamp.Index, timestamp.Length);
        }

        var chars = name.ToCharArray();
        foreach (Match run in LongDigitRun().Matches(name))
        {
            // A run that touches a kept timestamp is masked outside it only (e.g. "4791234567" glued to a timestamp).
            var outside = Enumerable.Range(run.Index, run.Length).Where(i => !kept[i]).ToList();
            if (outside.Count < MinimumMaskedRun)
            {
                continue;
            }

            foreach (var i in outside.Take(outside.Count - 2))
            {
                chars[i] = '*';
            }
        }

        return new string(chars);
    }
}
