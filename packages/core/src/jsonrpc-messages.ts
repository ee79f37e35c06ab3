import { RpcError } from './errors.js';
import type {
  JsonRpcErrorObject,
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccess,
} from './wire/jsonrpc.js';

export function createJsonRpcRequest(id: JsonRpcId, method: string, params: JsonRpcRequest['params'] = {}): JsonRpcRequest {
  return { jsonrpc: '2.0', id, method, params };
}

export function createJsonRpcResult(id: JsonRpcId, result: unknown): JsonRpcSuccess {
  return { jsonrpc: '2.0', id, result };
}

export function createJsonRpcError(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcErrorResponse {
  const error: JsonRpcErrorObject = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON-RPC request object (has a string `method`). */
export function isJsonRpcRequest(payload: unknown): payload is JsonRpcRequest {
  return isObject(payload) && payload.jsonrpc === '2.0' && typeof payload.method === 'string';
}

/** A JSON-RPC response object (success or error, no `method`). */
export function isJsonRpcResponse(payload: unknown): payload is JsonRpcResponse {
  return isObject(payload) && payload.jsonrpc === '2.0' && payload.method === undefined && 'id' in payload;
}

export function isJsonRpcError(payload: JsonRpcResponse): payload is JsonRpcErrorResponse {
  return isObject((payload as { error?: unknown }).error);
}

/**
 * Whether a streamed response ends its stream: an error, or a result that is `null` (TS
 * servers) or absent (Python servers omit a null result).
 */
export function isStreamEnd(response: JsonRpcResponse): boolean {
  if (isJsonRpcError(response)) return true;
  const result = response.result;
  return result === null || result === undefined;
}

/** The error carried by a JSON-RPC error response, as a typed {@link RpcError}. */
export function rpcErrorFrom(response: JsonRpcErrorResponse): RpcError {
  const { code, message, data } = response.error;
  return new RpcError(typeof code === 'number' ? code : -32603, typeof message === 'string' ? message : 'error', data);
}
