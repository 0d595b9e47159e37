using System.Text.Json;
using Spectre.Console;

namespace Agor.Cli.Output;

/// <summary>Listings: a Spectre.Console table for people, the API's JSON as it came for scripts.</summary>
internal static class Tables
{
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

        FitRedirectedOutput();
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(header).NoWrap());
        }

        foreach (var item in items)
        {
            table.AddRow(cells(item).Select(c => new Text(c)).ToArray<Spectre.Console.Rendering.IRenderable>());
        }

        AnsiConsole.Write(table);
    }

    /// <summary>Name and value pairs, one per line.</summary>
    public static void WriteDetails(IEnumerable<(string Name, string Value)> details)
    {
        FitRedirectedOutput();
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in details)
        {
            grid.AddRow(new Text(name + ":", new Style(decoration: Decoration.Bold)), new Text(value));
        }

        AnsiConsole.Write(grid);
    }

    /// <summary>Piped, there is no terminal width to fit: ids, paths and messages stay whole on one line.</summary>
    private static void FitRedirectedOutput()
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 1000;
        }
    }
}
