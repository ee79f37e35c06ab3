import type { WireMessage } from '@naylence/core';

const NodeBuffer = (globalThis as { Buffer?: { from(bytes: Uint8Array): Uint8Array } }).Buffer;

/**
 * A private copy of a wire message (strings are immutable already). On Node a pooled
 * `Buffer.from` copy, several times cheaper than `Uint8Array#slice` for envelope-sized messages.
 */
export const copyWireMessage: (message: WireMessage) => WireMessage = NodeBuffer
  ? (message) => (typeof message === 'string' ? message : NodeBuffer.from(message))
  : (message) => (typeof message === 'string' ? message : message.slice());
