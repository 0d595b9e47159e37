using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>
/// How values are written and read: times as ISO 8601 text in UTC (the round-trip "O" format,
/// which keeps every tick and sorts as text), missing values as NULL, booleans as 0/1.
/// </summary>
internal static class SqliteValues
{
    /// <summary>A command on <paramref name="connection"/>.</summary>
    public static SqliteCommand Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Binds a value, or NULL.</summary>
    public static void Set(this SqliteParameterCollection parameters, string name, object? value) =>
        parameters.AddWithValue(name, value ?? DBNull.Value);

    /// <summary>Binds a time as text.</summary>
    public static void Set(this SqliteParameterCollection parameters, string name, DateTimeOffset value) =>
        parameters.AddWithValue(name, ToText(value));

    /// <summary>Binds a time as text, or NULL.</summary>
    public static void Set(this SqliteParameterCollection parameters, string name, DateTimeOffset? value) =>
        parameters.AddWithValue(name, value is { } time ? ToText(time) : DBNull.Value);

    public static string ToText(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset FromText(string text) => DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);

    public static string Text(this SqliteDataReader reader, string column) => reader.GetString(reader.GetOrdinal(column));

    public static string? TextOrNull(this SqliteDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static long Int64(this SqliteDataReader reader, string column) => reader.GetInt64(reader.GetOrdinal(column));

    public static long? Int64OrNull(this SqliteDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
    }

    public static double? DoubleOrNull(this SqliteDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
    }

    public static bool Boolean(this SqliteDataReader reader, string column) => reader.Int64(column) != 0;

    public static DateTimeOffset Time(this SqliteDataReader reader, string column) => FromText(reader.Text(column));

    public static DateTimeOffset? TimeOrNull(this SqliteDataReader reader, string column) =>
        reader.TextOrNull(column) is { } text ? FromText(text) : null;
}
