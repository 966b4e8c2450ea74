using System.Buffers.Binary;

namespace MediaRetention.BrowserTests.Infrastructure;

/// <summary>Small, valid media made in the test, so playback is tested on real decodable content.</summary>
public static class MediaFixtures
{
    /// <summary>A mono 16-bit PCM WAV of a 440 Hz tone.</summary>
    public static byte[] Wav(double seconds, int sampleRate = 8000)
    {
        var samples = (int)(seconds * sampleRate);
        var data = samples * 2;
        var wav = new byte[44 + data];
        var span = wav.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + data);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1); // mono
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], data);
        for (var i = 0; i < samples; i++)
        {
            var value = (short)(Math.Sin(2 * Math.PI * 440 * i / sampleRate) * 8000);
            BinaryPrimitives.WriteInt16LittleEndian(span[(44 + (i * 2))..], value);
        }

        return wav;
    }
}
