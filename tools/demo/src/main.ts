/**
 * The main job, for now: build an RPC request envelope, put it on the wire, read it back and
 * show what a peer would see. (The fabric work replaces this with a live sentinel and agents.)
 */
import { createEnvelope, createJsonRpcRequest, decodeEnvelope, encodeEnvelope, randomId, secureDigest } from '@naylence/core';

const path = `/${randomId()}/${randomId()}`;
const corrId = randomId();
const request = createEnvelope({
  sid: await secureDigest(path),
  to: 'math@fame.fabric',
  replyTo: `__rpc__${randomId()}@${path}`,
  rtype: 2,
  corrId,
  frame: { type: 'Data', payload: createJsonRpcRequest(corrId, 'add', { x: 3, y: 4 }) },
});

const wire = encodeEnvelope(request);
const back = decodeEnvelope(wire);

console.log(`Built an RPC request from ${path} (sid ${request.sid}):`);
console.log(`  ${back.frame.type} to ${back.to}, reply to ${back.replyTo}`);
console.log(`  ${wire.byteLength} bytes on the wire:`);
console.log(`  ${new TextDecoder().decode(wire)}`);
console.log(`Decoded and validated: ${JSON.stringify(back) === JSON.stringify(request) ? 'identical to what we sent' : 'DIFFERENT'}`);
