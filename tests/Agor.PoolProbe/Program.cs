using Agor.PoolProbe;

// Usage:
//   connect SOCKET LINE            connect, send one line, print "reply: ...", "closed" or "error: ..."
//   pool EXECUTOR USER             run a pool with run_as_unix_user, ping, stop; print what was seen
//   kill-sudo EXECUTOR USER        as above, but SIGKILL the sudo in front of the executor instead of stopping it
//   rogue-executor --socket PATH   play an executor that tries forged and replayed session tokens
//   hostile-executor --socket PATH --script NAME [--count N] [--bytes N] [--record PATH]
//                                  play an executor that misbehaves as the script says (see Hostile/HostileScripts.cs)
//   identity-attack KIND ...       impostor | lying-ping: attacks on the executor's identity (IdentityAttackExecutor)
return args switch
{
    ["connect", var socket, var line] => await SocketProbe.RunAsync(socket, line),
    ["pool", var executor, var user] => await PoolScenario.RunAsync(executor, user, killSudo: false),
    ["kill-sudo", var executor, var user] => await PoolScenario.RunAsync(executor, user, killSudo: true),
    ["rogue-executor", .. var executorArguments] => await RogueExecutor.RunAsync(executorArguments),
    ["hostile-executor", .. var executorArguments] => await Agor.PoolProbe.Hostile.HostileExecutor.RunAsync(executorArguments),
    ["identity-attack", var kind, .. var attackArguments] => await IdentityAttackExecutor.RunAsync(kind, attackArguments),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Agor.PoolProbe connect SOCKET LINE | pool EXECUTOR USER | kill-sudo EXECUTOR USER | rogue-executor --socket PATH | hostile-executor --socket PATH --script NAME | identity-attack impostor|lying-ping ...");
    return 64;
}
