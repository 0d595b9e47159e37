namespace Agor.Cli.Isolation;

/// <summary>
/// One line of config.yaml that setup changed: in <paramref name="Section"/>, the line of
/// <paramref name="Key"/> (null: the section's header) read <paramref name="Before"/> (null: it was
/// added) and now reads <paramref name="After"/>.
/// </summary>
internal sealed record ConfigLineEdit(string Section, string? Key, string? Before, string After);

/// <summary>The edited text, the keys whose value changed, and the lines that changed.</summary>
internal sealed record ConfigEditResult(string Text, IReadOnlyList<string> Changed, IReadOnlyList<ConfigLineEdit> Edits);
