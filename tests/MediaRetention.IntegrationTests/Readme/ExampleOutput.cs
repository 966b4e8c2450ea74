using System.Text.Json;
using System.Text.Json.Nodes;

namespace MediaRetention.IntegrationTests.Readme;

/// <summary>What an example printed: curl writes JSON bodies back to back without a newline, between other text.</summary>
public static class ExampleOutput
{
    /// <summary>Every top-level JSON object in <paramref name="text"/>, in order.</summary>
    public static List<JsonObject> JsonObjects(string text)
    {
        var objects = new List<JsonObject>();
        var start = -1;
        var depth = 0;
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (depth > 0 && inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"' when depth > 0:
                    inString = true;
                    break;
                case '{':
                    if (depth++ == 0)
                    {
                        start = i;
                    }

                    break;
                case '}' when depth > 0:
                    if (--depth == 0)
                    {
                        try
                        {
                            if (JsonNode.Parse(text[start..(i + 1)]) is JsonObject found)
                            {
                                objects.Add(found);
                            }
                        }
                        catch (JsonException)
                        {
                            // braces in plain text, not JSON
                        }
                    }

                    break;
            }
        }

        return objects;
    }

    /// <summary>An RFC 9457 problem document (an HTTP error the example did not expect), or null.</summary>
    public static JsonObject? FirstProblem(IEnumerable<JsonObject> objects) => objects.FirstOrDefault(o =>
        o["status"] is JsonValue status && status.TryGetValue<int>(out var code) && code >= 400 && o["title"] is not null);
}
