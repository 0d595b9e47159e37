using Agor.PoolProbe;

// Usage:
//   connect SOCKET LINE            connect, send one line, print "reply: ...", "closed" or "error: ..."
//   pool EXECUTOR USER             run a pool with run_as_unix_user, ping, stop; print what was seen
//   kill-sudo EXECUTOR USER        as above, but SIGKILL the sudo in front of the executor instead of stopping it
return args switch
{
    ["connect", var socket, var line] => await SocketProbe.RunAsync(socket, line),
    ["pool", var executor, var user] => await PoolScenario.RunAsync(executor, user, killSudo: false),
    ["kill-sudo", var executor, var user] => await PoolScenario.RunAsync(executor, user, killSudo: true),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Agor.PoolProbe connect SOCKET LINE | pool EXECUTOR USER | kill-sudo EXECUTOR USER");
    return 64;
}
