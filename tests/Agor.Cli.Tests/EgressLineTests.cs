using System.Text.Json;
using Agor.Cli.Output;

namespace Agor.Cli.Tests;

/// <summary>One egress connection as <c>agor task show</c> prints it.</summary>
public sealed class EgressLineTests
{
    [Theory]
    [InlineData("""{"host":"example.com","port":443,"address":"93.184.215.14","allowed":true,"reason":"allowed","bytes_up":512,"bytes_down":1536}""", "✓ example.com:443 → 93.184.215.14 · 512 B up, 1.5 KiB down")]
    [InlineData("""{"host":"169.254.169.254","port":80,"address":"169.254.169.254","allowed":false,"reason":"link_local: metadata","bytes_up":0,"bytes_down":0}""", "✗ 169.254.169.254:80 → 169.254.169.254 · 0 B up, 0 B down · refused: link_local: metadata")]
    [InlineData("""{"host":"::1","port":8080,"address":null,"allowed":false,"reason":"","bytes_up":0,"bytes_down":0}""", "✗ [::1]:8080 · 0 B up, 0 B down · refused: no reason given")]
    [InlineData("""{"host":"a.test","port":80,"address":"10.0.0.1","allowed":true,"reason":"connect_failed","bytes_up":0,"bytes_down":3145728}""", "✓ a.test:80 → 10.0.0.1 · 0 B up, 3.0 MiB down · connect_failed")]
    public void Describe_IsOneLine(string connection, string expected)
    {
        using var document = JsonDocument.Parse(connection);

        Assert.Equal(expected, EgressLine.Describe(document.RootElement));
    }

    [Fact]
    public void Describe_ShowsControlCharactersFromTheAgentAsQuestionMarks()
    {
        using var document = JsonDocument.Parse("""{"host":"evil\u001b[2J","port":80,"allowed":false,"reason":"not_allowed: evil\u001b[2J\n","bytes_up":0,"bytes_down":0}""");

        Assert.Equal("✗ evil?[2J:80 · 0 B up, 0 B down · refused: not_allowed: evil?[2J?", EgressLine.Describe(document.RootElement));
    }
}
