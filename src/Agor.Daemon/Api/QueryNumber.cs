using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Agor.Daemon.Api;

/// <summary>Reads an optional whole-number query parameter within bounds.</summary>
internal static class QueryNumber
{
    public static bool TryRead(HttpRequest request, string name, long fallback, long min, long max, out long value, out IResult? problem)
    {
        problem = null;
        value = fallback;
        if (request.Query[name].ToString() is not { Length: > 0 } text)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        problem = Problems.BadRequest(name, $"must be a whole number between {min} and {max}");
        return false;
    }
}
