import { describe, expect, it } from 'vitest';
import { serializeEnvelope } from './codec/encode.js';
import { decodeEnvelope } from './codec/decode.js';
import { createDeliveryAck, createEnvelope, createNack, createReply, isNackEligible } from './envelope-builders.js';
import {
  createJsonRpcError,
  createJsonRpcRequest,
  createJsonRpcResult,
  isJsonRpcRequest,
  isJsonRpcResponse,
  isStreamEnd,
  rpcErrorFrom,
} from './jsonrpc-messages.js';

const request = createEnvelope({
  to: 'math@fame.fabric',
  replyTo: '__rpc__abc@/s/c',
  rtype: 3,
  corrId: 'corr1',
  ttl: 4,
  meta: { 'x-a': 1 },
  frame: { type: 'Data', payload: createJsonRpcRequest('corr1', 'add', { x: 1, y: 2 }) },
});

describe('createEnvelope', () => {
  it('fills version, id, traceId and ts and keeps wire order', () => {
    expect(request.version).toBe('1.0');
    expect(request.id).toMatch(/^[0-9a-zA-Z]{16}$/);
    expect(request.traceId).toMatch(/^[0-9a-zA-Z]{16}$/);
    expect(request.ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Object.keys(JSON.parse(serializeEnvelope(request)))).toEqual([
      'version',
      'id',
      'traceId',
      'to',
      'replyTo',
      'rtype',
      'corrId',
      'ttl',
      'frame',
      'ts',
      'meta',
    ]);
    expect(decodeEnvelope(serializeEnvelope(request))).toEqual(request);
  });

  it('leaves absent fields absent', () => {
    const env = createEnvelope({ frame: { type: 'NodeHeartbeat' } });
    expect(Object.keys(JSON.parse(serializeEnvelope(env, { keyOrder: 'as-is' })))).toEqual(['version', 'id', 'traceId', 'frame', 'ts']);
  });

  it('keeps wire order when a link fills in the flow fields later', () => {
    const env = createEnvelope({ corrId: 'c', frame: { type: 'NodeHeartbeat' } });
    Object.assign(env, { flowId: 'f', seqId: 0, flowFlags: 1 });
    expect(Object.keys(JSON.parse(serializeEnvelope(env, { keyOrder: 'as-is' })))).toEqual([
      'version',
      'id',
      'traceId',
      'corrId',
      'flowId',
      'seqId',
      'flowFlags',
      'frame',
      'ts',
    ]);
  });
});

describe('replies (protocol-core §6.4)', () => {
  it('address the request replyTo with its corrId and traceId, not its ttl or meta', () => {
    const reply = createReply(request, { type: 'Data', payload: createJsonRpcResult('corr1', 3) });
    expect(reply).toMatchObject({ to: '__rpc__abc@/s/c', corrId: 'corr1', traceId: request.traceId });
    expect(reply.ttl).toBeUndefined();
    expect(reply.meta).toBeUndefined();
    expect(reply.id).not.toBe(request.id);
  });

  it('acks refer to the request id', () => {
    expect(createDeliveryAck(request).frame).toEqual({ type: 'DeliveryAck', ok: true, refId: request.id });
  });

  it('NACKs carry code and the reference reason text', () => {
    const nack = createNack(request, 'NO_ROUTE');
    expect(nack.frame).toEqual({
      type: 'DeliveryAck',
      ok: false,
      code: 'NO_ROUTE',
      reason: 'Unroutable to math@fame.fabric',
      refId: request.id,
    });
    expect(nack.to).toBe(request.replyTo);
    expect(nack.replyTo).toBeUndefined();
  });

  it('NACK eligibility follows §5.5', () => {
    expect(isNackEligible(request)).toBe(true);
    expect(isNackEligible(createEnvelope({ to: 'a@b', corrId: 'c', frame: { type: 'Data', payload: null } }))).toBe(false);
    expect(isNackEligible(createEnvelope({ to: 'a@b', replyTo: 'r@/x', corrId: 'c', frame: { type: 'NodeHeartbeat' } }))).toBe(false);
    expect(
      isNackEligible(createEnvelope({ to: 'a@b', replyTo: 'r@/x', corrId: 'c', frame: { type: 'SecureOpen', cid: 'c', ephPub: 'k' } })),
    ).toBe(true);
  });
});

describe('JSON-RPC helpers', () => {
  it('recognise requests and responses', () => {
    expect(isJsonRpcRequest(createJsonRpcRequest('1', 'm'))).toBe(true);
    expect(isJsonRpcResponse(createJsonRpcResult('1', 2))).toBe(true);
    expect(isJsonRpcResponse(createJsonRpcRequest('1', 'm'))).toBe(false);
    expect(isJsonRpcRequest({ jsonrpc: '1.0', method: 'x' })).toBe(false);
  });

  it('treat null, absent result and errors as stream end (TS and Python terminators)', () => {
    expect(isStreamEnd(createJsonRpcResult('1', null))).toBe(true);
    expect(isStreamEnd({ jsonrpc: '2.0', id: '1' })).toBe(true);
    expect(isStreamEnd(createJsonRpcError('1', -32000, 'boom'))).toBe(true);
    expect(isStreamEnd(createJsonRpcResult('1', 0))).toBe(false);
  });

  it('map error responses to typed RpcErrors', () => {
    const err = rpcErrorFrom(createJsonRpcError('1', -32601, 'Method not found'));
    expect(err.code).toBe('RPC_METHOD_NOT_FOUND');
    expect(err.rpcCode).toBe(-32601);
    expect(rpcErrorFrom(createJsonRpcError('1', -32603, 'boom', { at: 1 }))).toMatchObject({ code: 'RPC_REMOTE_ERROR', data: { at: 1 } });
  });
});
