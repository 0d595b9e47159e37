using System.ComponentModel;
using Agor.Executor.Logging;
using Microsoft.Extensions.Logging;

namespace Agor.Executor.Agents;

/// <summary>
/// What every agent's start and unexplained end share: the working directory checked, the
/// program found on the agent's PATH, the process started through the guard (confined by bwrap
/// when the request says so), and an exit without a result told apart from bwrap failing to set
/// the sandbox up.
/// </summary>
internal static class AgentLaunch
{
    /// <summary>Starts <paramref name="displayName"/>; the process, or the outcome that says why it could not start.</summary>
    public static (AgentProcess? Agent, AgentOutcome? Failure) Start(
        AgentRunRequest request, IReadOnlyList<string> arguments, Guard.GuardedLaunch launch, ILogger logger, string displayName)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(launch);
        if (!Directory.Exists(request.WorkingDirectory))
        {
            return (null, AgentOutcome.Failed(ErrorCodes.InvalidWorkingDirectory, $"The working directory '{request.WorkingDirectory}' does not exist or cannot be entered."));
        }

        // Found here, not by the guard: a missing agent is agent_not_found, not a guard that exited.
        if (ExecutablePath.Resolve(request.AgentPath, request.Environment.GetValueOrDefault("PATH")) is not { } program)
        {
            return (null, AgentOutcome.Failed(ErrorCodes.AgentNotFound, $"{displayName} could not be started from '{request.AgentPath}': no such executable file."));
        }

        try
        {
            // Through the guard: the agent's whole tree dies with this executor, and gets the agent's umask.
            string fileName;
            IReadOnlyList<string> wrapped;
            if (request.Sandbox is { } sandbox)
            {
                IReadOnlyList<string> skipped;
                (fileName, wrapped, skipped) = launch.WrapConfined(program, arguments, sandbox, request.Limits, request.Environment.GetValueOrDefault("PATH"));
                foreach (var path in skipped)
                {
                    ExecutorLog.SandboxPathSkipped(logger, path);
                }
            }
            else
            {
                (fileName, wrapped) = launch.Wrap(program, arguments, request.Limits);
            }

            var agent = AgentProcess.Start(fileName, wrapped, request.WorkingDirectory, request.Environment);
            ExecutorLog.AgentStarted(logger, agent.Pid, request.AgentPath);
            return (agent, null);
        }
        catch (Win32Exception ex)
        {
            return (null, AgentOutcome.Failed(ErrorCodes.AgentNotFound, $"{displayName} could not be started from '{request.AgentPath}': {ex.Message}"));
        }
    }

    /// <summary>
    /// The outcome of an agent that ended without giving one: cancelled when it was interrupted,
    /// sandbox_unavailable when bwrap said why before the agent ran, else agent_crashed with its stderr.
    /// </summary>
    public static AgentOutcome EndedWithoutResult(AgentProcess agent, AgentRunRequest request, bool interrupted, bool sawOutput, string displayName)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(request);
        if (interrupted)
        {
            return new AgentOutcome(Protocol.Wire.CompletionStatus.Cancelled) { Interrupted = true };
        }

        var stderr = agent.StderrTail;
        if (request.Sandbox is not null && !sawOutput
            && stderr.Split('\n').FirstOrDefault(l => l.StartsWith("bwrap: ", StringComparison.Ordinal)) is { } bwrapSaid)
        {
            return AgentOutcome.Failed(ErrorCodes.SandboxUnavailable, $"bubblewrap could not set up the sandbox, so the agent was not started: {bwrapSaid}");
        }

        return AgentOutcome.Failed(
            ErrorCodes.AgentCrashed,
            $"{displayName} exited with code {agent.ExitCode} without a result{(stderr.Length > 0 ? $": {stderr}" : ".")}");
    }
}
