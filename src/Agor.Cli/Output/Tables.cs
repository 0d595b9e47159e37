using System.Text.Json;
using Spectre.Console;

namespace Agor.Cli.Output;

/// <summary>
/// Listings: a Spectre.Console table for people (statuses in colour on a terminal, see
/// <see cref="Paint"/>), the API's JSON as it came for scripts.
/// </summary>
internal static class Tables
{
    private static readonly Lazy<IAnsiConsole> Out = new(() =>
    {
        var colored = Paint.EnabledFor(Console.Out);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = colored ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colored ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(Console.Out),
        });

        // Piped, there is no terminal width to fit: ids, paths and messages stay whole on one line.
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 1000;
        }

        return console;
    });

    public static void WriteJson(string raw) => Console.Out.WriteLine(raw.TrimEnd());

    /// <summary>A table of <paramref name="rows"/>, or <paramref name="empty"/> when there are none.</summary>
    public static void Write(JsonElement rows, string empty, string[] headers, Func<JsonElement, string[]> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var items = rows.ValueKind == JsonValueKind.Array ? rows.EnumerateArray().ToList() : [];
        if (items.Count == 0)
        {
            Console.Out.WriteLine(empty);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(header).NoWrap());
        }

        var status = Array.IndexOf(headers, "STATUS");
        foreach (var item in items)
        {
            table.AddRow(cells(item).Select((c, i) => new Text(c, i == status ? StatusStyle(c) : Style.Plain)).ToArray<Spectre.Console.Rendering.IRenderable>());
        }

        Out.Value.Write(table);
    }

    /// <summary>Name and value pairs, one per line.</summary>
    public static void WriteDetails(IEnumerable<(string Name, string Value)> details)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in details)
        {
            grid.AddRow(new Text(name + ":", new Style(decoration: Decoration.Bold)), new Text(value));
        }

        Out.Value.Write(grid);
    }

    private static Style StatusStyle(string status) => status switch
    {
        "completed" or "allowed" or "idle" => new Style(Color.Green),
        "failed" or "cancelled" or "denied" or "timed_out" => new Style(Color.Red),
        "running" or "awaiting_permission" or "pending" or "queued" => new Style(Color.Yellow),
        _ => Style.Plain,
    };
}
