using System.Collections;
using System.Reflection;
using System.Text;
using Agor.Daemon.Configuration;

namespace Agor.Daemon.Hosting;

/// <summary>
/// Which keys of config.yaml differ between two loaded configurations, named as the file names them
/// (<c>execution.permission_timeout_ms</c>). Every setting of every section is compared, so a key
/// added later is noticed without being listed here; credentials are compared per service, and
/// their values never leave this class.
/// </summary>
internal static class ConfigReloadDiff
{
    public static IReadOnlyList<string> ChangedKeys(AgorConfig before, AgorConfig after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changed = new List<string>();
        foreach (var section in typeof(AgorConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (section.Name == nameof(AgorConfig.Home))
            {
                continue;
            }

            var sectionName = SnakeCase(section.Name);
            var old = section.GetValue(before);
            var fresh = section.GetValue(after);
            if (old is CredentialSettings oldCredentials && fresh is CredentialSettings freshCredentials)
            {
                changed.AddRange(ChangedServices(oldCredentials, freshCredentials).Select(service => $"{sectionName}.{service}"));
                continue;
            }

            foreach (var setting in section.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!Same(setting.GetValue(old), setting.GetValue(fresh)))
                {
                    changed.Add(KeyName(sectionName, setting.Name));
                }
            }
        }

        return changed;
    }

    private static IEnumerable<string> ChangedServices(CredentialSettings before, CredentialSettings after) =>
        before.Services.Keys.Union(after.Services.Keys, StringComparer.Ordinal)
            .Where(service => before.Services.GetValueOrDefault(service) != after.Services.GetValueOrDefault(service))
            .Order(StringComparer.Ordinal);

    private static bool Same(object? before, object? after) =>
        (before, after) switch
        {
            (string a, string b) => a == b,
            (IEnumerable a, IEnumerable b) => a.Cast<object?>().SequenceEqual(b.Cast<object?>()),
            _ => Equals(before, after),
        };

    /// <summary>The file's name for a setting; the one nested key (agents.claude_code.path) spelled as the file spells it.</summary>
    private static string KeyName(string section, string property) =>
        (section, property) switch
        {
            ("agents", nameof(AgentSettings.ClaudeCodePath)) => "agents.claude_code.path",
            ("agents", nameof(AgentSettings.CodexPath) or nameof(AgentSettings.GeminiPath)) => $"agents.{property[..^4].ToLowerInvariant()}.path",
            _ => $"{section}.{SnakeCase(property)}",
        };

    private static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }
}
