using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;

namespace Agor.Cli.Commands;

/// <summary>
/// <c>agor open [--print]</c>: asks the daemon for a one-time sign-in link to its web page (valid for
/// 60 seconds, usable once), prints it, and opens it in the browser with <c>xdg-open</c> where there
/// is one.
/// </summary>
internal static class OpenCommand
{
    public static Command Create()
    {
        var printOnly = new Option<bool>("--print") { Description = "Only print the link; do not open a browser." };
        var open = new Command("open", "Open the web page: prints a one-time sign-in link (valid 60 s) and opens it in the browser.") { printOnly };
        CliAction.Set(open, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var link = await client.PostAsync("/auth/login-link", null, cancellationToken);
            var url = link.Json.GetProperty("url").GetString()
                ?? throw new CliException("the daemon answered without a link", ExitCodes.Unavailable);
            Console.WriteLine(url);
            if (!parse.GetValue(printOnly) && TryOpenBrowser(url))
            {
                await Console.Error.WriteLineAsync("agor: opened the web page in the browser (the link works once, for 60 seconds)");
            }
            else
            {
                await Console.Error.WriteLineAsync("agor: open this link in a browser within 60 seconds; it works once");
            }

            return ExitCodes.Ok;
        });
        return open;
    }

    private static bool TryOpenBrowser(string url)
    {
        var opener = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "xdg-open"))
            .FirstOrDefault(File.Exists);
        if (opener is null || (Environment.GetEnvironmentVariable("DISPLAY") is null && Environment.GetEnvironmentVariable("WAYLAND_DISPLAY") is null))
        {
            return false;
        }

        try
        {
            var startInfo = new ProcessStartInfo(opener) { UseShellExecute = false };
            startInfo.ArgumentList.Add(url);
            using var process = Process.Start(startInfo);
            return process is not null;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }
}
