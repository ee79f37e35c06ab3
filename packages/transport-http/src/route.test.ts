import { MAX_SYSTEM_ID_LENGTH } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { IngressRoutes, INGRESS_PREFIX } from './route.js';

describe('IngressRoutes', () => {
  it('remembers a link’s path and answers it the same way again', () => {
    const routes = new IngressRoutes();
    const path = `${INGRESS_PREFIX}/downstream/node-a`;
    const first = routes.parse(path);
    expect(first).toEqual({ kind: 'child', originType: 'downstream', systemId: 'node-a' });
    expect(routes.parse(path)).toBe(first);
    expect(routes.parse(`${INGRESS_PREFIX}/upstream`)).toEqual({ kind: 'upstream' });
    expect(routes.size).toBe(2);
  });

  it('never keeps invalid or over-long paths (requests before authentication cannot fill it with junk)', () => {
    const routes = new IngressRoutes();
    expect(routes.parse(`${INGRESS_PREFIX}/nowhere/x`)).toEqual({ kind: 'invalid' });
    expect(routes.parse(`${INGRESS_PREFIX}/downstream/%E0%A4%A`)).toEqual({ kind: 'invalid' });
    const long = `${INGRESS_PREFIX}/downstream/${'x'.repeat(3 * MAX_SYSTEM_ID_LENGTH + 1)}`;
    expect(routes.parse(long)).toMatchObject({ kind: 'child' });
    expect(routes.size).toBe(0);
  });

  it('stays bounded however many distinct paths arrive', () => {
    const routes = new IngressRoutes();
    for (let i = 0; i < 5_000; i++) routes.parse(`${INGRESS_PREFIX}/downstream/node-${i}`);
    expect(routes.size).toBeLessThanOrEqual(1024);
    expect(routes.size).toBeGreaterThan(0);
  });
});
