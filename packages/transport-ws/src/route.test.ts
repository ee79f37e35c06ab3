import { describe, expect, it } from 'vitest';
import { wireCloseCode, wireCloseReason } from './close-codes.js';
import { isAttachPath, parseAttachRoute, readBearerOffer, requestPath } from './route.js';

describe('attach routes', () => {
  it('owns exactly the paths under /fame/v1/attach/ws', () => {
    expect(isAttachPath('/fame/v1/attach/ws')).toBe(true);
    expect(isAttachPath('/fame/v1/attach/ws/downstream/x')).toBe(true);
    expect(isAttachPath('/fame/v1/attach/wsx/downstream/x')).toBe(false);
    expect(isAttachPath('/fame/v1/attach/health')).toBe(false);
    expect(isAttachPath('/chat')).toBe(false);
    expect(requestPath('/fame/v1/attach/ws/peer/a?token=x#f')).toBe('/fame/v1/attach/ws/peer/a');
  });

  it('parses origin type (case-insensitive) and system id', () => {
    expect(parseAttachRoute('/fame/v1/attach/ws/downstream/child-1')).toEqual({ ok: true, originType: 'downstream', systemId: 'child-1' });
    expect(parseAttachRoute('/fame/v1/attach/ws/PEER/s%2Db')).toEqual({ ok: true, originType: 'peer', systemId: 's-b' });
  });

  it('refuses system ids that are no path segment: separators, percent-encoded or not, control characters, too long', () => {
    for (const id of ['node-a%2Fevil', 'node-a%2fevil', 'a%5Cb', 'node-a%252Fevil', 's%20b', 'a%00b', 'a%0Ab', '..', 'x'.repeat(129)]) {
      expect(parseAttachRoute(`/fame/v1/attach/ws/downstream/${id}`), id).toEqual({ ok: false, reason: 'Invalid system id' });
    }
    expect(parseAttachRoute(`/fame/v1/attach/ws/downstream/${'x'.repeat(128)}`)).toMatchObject({ ok: true });
  });

  it('refuses unknown origins and malformed routes with the reference reasons', () => {
    expect(parseAttachRoute('/fame/v1/attach/ws/sideways/intruder')).toEqual({ ok: false, reason: 'Invalid origin type' });
    expect(parseAttachRoute('/fame/v1/attach/ws/upstream/intruder')).toEqual({ ok: false, reason: 'Invalid origin type' });
    for (const path of [
      '/fame/v1/attach/ws',
      '/fame/v1/attach/ws/',
      '/fame/v1/attach/ws/downstream',
      '/fame/v1/attach/ws/downstream/',
      '/fame/v1/attach/ws/downstream/a/b',
      '/fame/v1/attach/ws//a',
      '/fame/v1/attach/ws/downstream/%E0%A4%A',
    ]) {
      expect(parseAttachRoute(path), path).toEqual({ ok: false, reason: 'Invalid attach route' });
    }
  });
});

describe('bearer token on the upgrade', () => {
  it('reads the two-subprotocol form and selects the bearer entry as offered', () => {
    expect(readBearerOffer('bearer, s3cret', undefined)).toEqual({ token: 's3cret', protocol: 'bearer' });
    expect(readBearerOffer('Bearer,s3cret', undefined)).toEqual({ token: 's3cret', protocol: 'Bearer' });
    expect(readBearerOffer('bearer', undefined)).toEqual({ protocol: 'bearer' });
  });

  it('reads a single "bearer <token>" entry', () => {
    expect(readBearerOffer('bearer s3cret', undefined)).toEqual({ token: 's3cret', protocol: 'bearer' });
  });

  it('falls back to the Authorization header, and ignores other subprotocols', () => {
    expect(readBearerOffer(undefined, 'Bearer abc.def')).toEqual({ token: 'abc.def' });
    expect(readBearerOffer('chat, v2', 'bearer   t0k')).toEqual({ token: 't0k' });
    expect(readBearerOffer('bearer, sub', 'Bearer header')).toEqual({ token: 'sub', protocol: 'bearer' });
    expect(readBearerOffer(undefined, 'Basic dXNlcjpwdw==')).toEqual({});
    expect(readBearerOffer('x, bearer, t', undefined)).toEqual({});
  });
});

describe('close codes', () => {
  it('never puts local-only or invalid codes on the wire', () => {
    expect(wireCloseCode(1000)).toBe(1000);
    expect(wireCloseCode(1008)).toBe(1008);
    expect(wireCloseCode(4001)).toBe(4001);
    expect(wireCloseCode(1005)).toBe(1000);
    expect(wireCloseCode(1006)).toBe(1011);
    expect(wireCloseCode(1015)).toBe(1011);
    expect(wireCloseCode(1004)).toBe(1011);
    expect(wireCloseCode(999)).toBe(1011);
    expect(wireCloseCode(5000)).toBe(1011);
  });

  it('cuts reasons to 123 UTF-8 bytes on a character boundary', () => {
    expect(wireCloseReason('short')).toBe('short');
    const long = 'é'.repeat(100); // 200 bytes
    const cut = wireCloseReason(long);
    expect(new TextEncoder().encode(cut).length).toBe(122);
    expect(cut).toBe('é'.repeat(61));
    expect(wireCloseReason('x'.repeat(123))).toHaveLength(123);
    expect(wireCloseReason('😀'.repeat(40))).toBe('😀'.repeat(30));
  });
});
