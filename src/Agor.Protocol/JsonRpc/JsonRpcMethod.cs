using System.Text.Json.Serialization.Metadata;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// A request method of the contract: its name and the source-generated type information of its
/// params and result, so that neither side serializes through reflection.
/// </summary>
public sealed record JsonRpcMethod<TParams, TResult>(string Name, JsonTypeInfo<TParams> ParamsType, JsonTypeInfo<TResult> ResultType);

/// <summary>A notification method of the contract: its name and the type information of its params.</summary>
public sealed record JsonRpcNotification<TParams>(string Name, JsonTypeInfo<TParams> ParamsType);
