import { describe, expect, it } from 'vitest';
import {
  DeliveryNackError,
  ERROR_CODES,
  FameError,
  InvalidEnvelopeError,
  RpcError,
  errorCodeForAck,
  errorCodeForJsonRpc,
  isFameError,
} from './errors.js';

describe('errors', () => {
  it('carry a stable code, a name and their wire mappings', () => {
    const err = new InvalidEnvelopeError('/to', 'bad');
    expect(err).toBeInstanceOf(FameError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('InvalidEnvelopeError');
    expect(err.code).toBe('INVALID_ENVELOPE');
    expect(err.mapping).toEqual({ wsClose: 1007, httpStatus: 400, jsonRpc: -32600 });
    expect(isFameError(err, 'INVALID_ENVELOPE')).toBe(true);
    expect(isFameError(err, 'TIMEOUT')).toBe(false);
  });

  it('map every reference NACK code to an error code and back', () => {
    for (const ack of [
      'NO_ROUTE',
      'CHILD_UNREACHABLE',
      'PEER_UNREACHABLE',
      'ROUTE_CONNECTOR_CLOSED',
      'MESSAGE_TOO_LARGE',
      'UNAUTHORIZED_ROUTE',
      'signature_required',
      'signature_verification_failed',
      'crypto_level_violation',
    ] as const) {
      const code = errorCodeForAck(ack);
      expect(ERROR_CODES[code]).toHaveProperty('deliveryAck', ack);
      expect(new DeliveryNackError(ack, 'why')).toMatchObject({ code, ackCode: ack, reason: 'why' });
    }
    expect(errorCodeForAck('SOMETHING_NEW')).toBe('NO_ROUTE');
  });

  it('map JSON-RPC numbers', () => {
    expect(errorCodeForJsonRpc(-32601)).toBe('RPC_METHOD_NOT_FOUND');
    expect(errorCodeForJsonRpc(-32603)).toBe('RPC_REMOTE_ERROR');
    expect(new RpcError(-32000, 'stream failed').message).toBe('RPC error -32000: stream failed');
  });

  it('use distinct JSON-RPC numbers only inside the reserved range', () => {
    for (const mapping of Object.values(ERROR_CODES) as { jsonRpc?: number }[]) {
      if (mapping.jsonRpc !== undefined) expect(mapping.jsonRpc).toBeLessThanOrEqual(-32000);
    }
  });
});
