using System.Globalization;
using System.Text;

namespace Agor.Bench.Measurement;

/// <summary>Prints figures as a Markdown table; skipped figures and what each figure measures follow it.</summary>
internal sealed class ResultTable
{
    private readonly List<Figure> _figures = [];
    private readonly List<string> _notes = [];

    public void Add(Figure figure) => _figures.Add(figure);

    public void AddRange(IEnumerable<Figure> figures) => _figures.AddRange(figures);

    public void Note(string note) => _notes.Add(note);

    public bool AllTargetsMet => _figures.All(f => f.Met is not false);

    public string Render()
    {
        string[] header = ["figure", "agor", "baseline", "target", "met?"];
        var rows = _figures.Select(f => new[] { f.Name, f.Agor, f.Baseline, f.Target, f.MetText }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();

        var text = new StringBuilder();
        AppendRow(text, header, widths);
        text.Append('|');
        foreach (var width in widths)
        {
            text.Append(' ').Append('-', width).Append(" |");
        }

        text.AppendLine();
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        foreach (var figure in _figures.Where(f => f.Skipped is not null))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"skipped: {figure.Name}: {figure.Skipped}");
        }

        if (_notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in _notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
        }

        text.AppendLine();
    }
}
