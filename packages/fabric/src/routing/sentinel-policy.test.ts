import { createEnvelope, type FameEnvelope, type LinkRole } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { LocalBindings } from '../node/local-bindings.js';
import { hrwLoadBalancer } from './load-balancer.js';
import { RouteTable } from './route-table.js';
import { sentinelRoute, type SentinelView } from './sentinel-policy.js';

// The routing policy is a pure function: these tests call it with a route table and a
// liveness map, no sockets, no nodes.
function view(
  links: Record<string, { role: LinkRole; live?: boolean }>,
  setup: (routes: RouteTable, local: LocalBindings) => void = () => undefined,
) {
  const routes = new RouteTable();
  const local = new LocalBindings();
  setup(routes, local);
  const v: SentinelView = {
    physicalPath: '/hub',
    hasParent: true,
    routes,
    balancer: hrwLoadBalancer(),
    resolveLocal: (d) => local.resolve(d, '/hub'),
    byCapabilities: (c) => local.byCapabilities(c),
    roleOf: (id) => links[id]?.role,
    isLive: (id) => links[id] !== undefined && links[id].live !== false,
  };
  return v;
}

const data = (to?: string, extra: Partial<FameEnvelope> = {}) =>
  createEnvelope({ ...(to !== undefined && { to }), frame: { type: 'Data', payload: null }, ...extra });
const fromChild = (systemId: string) => ({ role: 'downstream' as const, systemId });

describe('sentinelRoute (a pure function of envelope, routes and liveness)', () => {
  it('prefers a local binding, then an exact route, then the parent', () => {
    const v = view({ a: { role: 'downstream' } }, (routes, local) => {
      routes.bind('math@fame.fabric', { systemId: 'a', kind: 'downstream' });
      local.add({ address: 'mine@fame.fabric', handler: () => undefined, capabilities: [] });
    });
    expect(sentinelRoute(data('mine@fame.fabric'), undefined, v)).toMatchObject({ kind: 'deliver' });
    expect(sentinelRoute(data('math@fame.fabric'), fromChild('b'), v)).toEqual({
      kind: 'forward',
      hop: { role: 'downstream', systemId: 'a' },
    });
    expect(sentinelRoute(data('other@fame.fabric'), fromChild('b'), v)).toMatchObject({ kind: 'forward', hop: { role: 'upstream' } });
    expect(sentinelRoute(data('other@fame.fabric'), { role: 'upstream', systemId: '' }, v)).toMatchObject({
      kind: 'nack',
      code: 'NO_ROUTE',
    });
  });

  it('answers a dead next hop with CHILD_UNREACHABLE / PEER_UNREACHABLE and never routes back where it came from', () => {
    const v = view({ a: { role: 'downstream', live: false }, p: { role: 'peer', live: false } }, (routes) => {
      routes.bind('math@fame.fabric', { systemId: 'a', kind: 'downstream' });
      routes.bind('far@fame.fabric', { systemId: 'p', kind: 'peer' });
    });
    expect(sentinelRoute(data('math@fame.fabric'), undefined, v)).toMatchObject({ kind: 'nack', code: 'CHILD_UNREACHABLE' });
    expect(sentinelRoute(data('far@fame.fabric'), undefined, v)).toMatchObject({ kind: 'nack', code: 'PEER_UNREACHABLE' });
    expect(sentinelRoute(data('math@fame.fabric'), fromChild('a'), v)).toMatchObject({ kind: 'drop' });
  });

  it('routes physical paths to the child or peer they name, and NACKs our own empty ones', () => {
    const v = view({ a: { role: 'downstream' }, p: { role: 'peer' } });
    expect(sentinelRoute(data('svc@/hub/a/x'), undefined, v)).toEqual({ kind: 'forward', hop: { role: 'downstream', systemId: 'a' } });
    expect(sentinelRoute(data('svc@/p/y'), undefined, v)).toEqual({ kind: 'forward', hop: { role: 'peer', systemId: 'p' } });
    expect(sentinelRoute(data('svc@/hub/ghost'), undefined, v)).toMatchObject({ kind: 'nack', code: 'NO_ROUTE' });
    expect(sentinelRoute(data('svc@/elsewhere/z'), fromChild('a'), v)).toMatchObject({ kind: 'forward', hop: { role: 'upstream' } });
  });

  it('balances pools over live members, and capabilities over live providers', () => {
    const v = view({ a: { role: 'downstream' }, b: { role: 'downstream', live: false } }, (routes) => {
      routes.bind('math@*.fame.fabric', { systemId: 'a', kind: 'downstream' });
      routes.bind('math@*.fame.fabric', { systemId: 'b', kind: 'downstream' });
      routes.advertise(['calc'], 'math@a.fame.fabric', 'a');
      routes.advertise(['calc'], 'math@b.fame.fabric', 'b');
    });
    for (let i = 0; i < 20; i++) {
      expect(sentinelRoute(data('math@fame.fabric'), undefined, v)).toEqual({
        kind: 'forward',
        hop: { role: 'downstream', systemId: 'a' },
      });
      expect(sentinelRoute(data(undefined, { capabilities: ['calc'] }), undefined, v)).toEqual({
        kind: 'forward',
        hop: { role: 'downstream', systemId: 'a' },
      });
    }
  });

  it('drops what has no destination and what the frame table does not route', () => {
    const v = view({});
    expect(sentinelRoute(data(), undefined, v)).toEqual({ kind: 'drop', reason: 'no destination' });
    expect(sentinelRoute(createEnvelope({ frame: { type: 'NodeHeartbeat' } }), undefined, v)).toMatchObject({ kind: 'drop' });
    expect(
      sentinelRoute(createEnvelope({ to: 'x@fame.fabric', frame: { type: 'KeyRequest', address: 'k@/hub/a' } }), undefined, v),
    ).toMatchObject({ kind: 'nack', code: 'NO_ROUTE' });
  });
});
