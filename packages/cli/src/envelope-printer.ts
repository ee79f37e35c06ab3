import type { FameEnvelope } from '@naylence/core';
import type { LinkRef, NodeHooks } from '@naylence/fabric';

/**
 * Node hooks that print one line per envelope a node receives, forwards, delivers or drops
 * (what `FAME_SHOW_ENVELOPES` turns on):
 *
 * ```text
 * 10:42:07.113 ← child:agent-1            Data                 {"version":"1.0","id":"…",…}
 * 10:42:07.114 → child:agent-2            Data                 {"version":"1.0","id":"…",…}
 * 10:42:07.120 ✗ NO_ROUTE                 Data                 Unroutable to nobody@fame.fabric {"version":"1.0",…}
 * ```
 *
 * `←` received over a link, `→` forwarded over one, `•` delivered to a local binding, `✗`
 * dropped (with the code and reason). The envelope is printed whole, as compact JSON.
 */
export function envelopePrinter(write: (line: string) => void, now: () => Date = () => new Date()): NodeHooks {
  const line = (mark: string, where: string, envelope: FameEnvelope, note = ''): void => {
    let json: string;
    try {
      json = JSON.stringify(envelope);
    } catch {
      json = '<unprintable envelope>';
    }
    write(`${clock(now())} ${mark} ${where.padEnd(24)} ${envelope.frame.type.padEnd(20)} ${note}${json}\n`);
  };
  return {
    onEnvelopeReceived: (envelope, from) => line('←', target(from), envelope),
    onBeforeForward: (envelope, to) => line('→', target(to), envelope),
    onBeforeDeliver: (envelope, address) => line('•', address, envelope),
    onDropped: (envelope, code, reason) => line('✗', code, envelope, `${reason} `),
  };
}

/** `upstream`, `child:{id}` or `peer:{id}` (a child is the far end of a `downstream` link). */
function target(t: LinkRef): string {
  return t.role === 'upstream' ? 'upstream' : `${t.role === 'downstream' ? 'child' : t.role}:${t.systemId}`;
}

function clock(date: Date): string {
  return date.toISOString().slice(11, 23);
}
