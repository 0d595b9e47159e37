using Agor.Protocol.Wire;

namespace Agor.Daemon.Gateway;

/// <summary>
/// One task as the gateway sees it: what it has spent (measured on the upstream's answers), the
/// caps it is held to, and whether it was refused for them. Thread-safe: requests may overlap.
/// </summary>
internal sealed class GatewayTask(string taskId, string sessionId, double sessionSpentBefore, double maxCostPerTask, double maxCostPerSession)
{
    private readonly Lock _lock = new();
    private ModelUsage _usage = ModelUsage.Zero;
    private double _cost;
    private int _requests;
    private string? _budgetRefusal;
    private volatile bool _revoked;

    public string TaskId { get; } = taskId;

    public string SessionId { get; } = sessionId;

    public bool Revoked => _revoked;

    public void Revoke() => _revoked = true;

    /// <summary>Null while the task may make another model request; otherwise the cap it reached, for people.</summary>
    public string? CheckBudget()
    {
        lock (_lock)
        {
            if (maxCostPerTask > 0 && _cost >= maxCostPerTask)
            {
                _budgetRefusal ??= $"This task reached limits.max_cost_usd_per_task ({maxCostPerTask:0.######} USD; spent {_cost:0.######} USD); no further model requests are allowed.";
                return _budgetRefusal;
            }

            if (maxCostPerSession > 0 && sessionSpentBefore + _cost >= maxCostPerSession)
            {
                _budgetRefusal ??= $"This session reached limits.max_cost_usd_per_session ({maxCostPerSession:0.######} USD; spent {sessionSpentBefore + _cost:0.######} USD); no further model requests are allowed.";
                return _budgetRefusal;
            }

            _requests++;
            return null;
        }
    }

    public void Record(ModelUsage usage, double cost)
    {
        lock (_lock)
        {
            _usage = _usage.Add(usage);
            _cost += cost;
        }
    }

    /// <summary>What the task spent; null when it made no model request through the gateway.</summary>
    public (TokenUsage Usage, double CostUsd)? Spent()
    {
        lock (_lock)
        {
            return _requests == 0 ? null : (_usage.ToTokenUsage(), _cost);
        }
    }

    /// <summary>The cap message when a request was refused for budget; null otherwise.</summary>
    public string? BudgetRefusal
    {
        get
        {
            lock (_lock)
            {
                return _budgetRefusal;
            }
        }
    }
}
