import { ConfigError } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { toLogLevel } from './log-level.js';
import {
  DEFAULT_AUTH_FAILURE_MAX_DELAY_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_UPGRADE_TIMEOUT_MS,
} from '@naylence/transport-ws';
import {
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_LINKS,
  DEFAULT_PENDING_LINK_TIMEOUT_MS,
  DEFAULT_RECEIVE_TIMEOUT_MS,
} from '@naylence/transport-http';
import { DEFAULT_MAX_ENVELOPE_BYTES } from '@naylence/core';
import { limitSettings, SENTINEL_LIMITS } from './limits.js';
import { sentinelOptionsFromEnv } from './options.js';

describe('sentinelOptionsFromEnv', () => {
  it('has defaults for everything', () => {
    expect(sentinelOptionsFromEnv({}, [])).toEqual({
      host: '127.0.0.1',
      port: 8000,
      tokens: [],
      maxInitialAttempts: 1,
      logLevel: 'info',
      showEnvelopes: false,
      peerTokens: [],
      limits: {},
      http: false,
    });
  });

  it('reads the reference environment variables and our own', () => {
    const options = sentinelOptionsFromEnv({
      FAME_NODE_ID: 'hub',
      FAME_LISTENER_HOST: '127.0.0.1',
      FAME_LISTENER_PORT: '9000',
      FAME_SENTINEL_TOKEN: 's3cret',
      FAME_DIRECT_ADMISSION_URL: 'ws://root:8000/fame/v1/attach/ws/downstream',
      FAME_PARENT_TOKEN: 'up',
      FAME_SESSION_MAX_INITIAL_ATTEMPTS: '0',
      FAME_LOG_LEVEL: 'WARNING',
      FAME_SHOW_ENVELOPES: 'true',
      FAME_LISTENER_HTTP_ENABLED: 'true',
    });
    expect(options).toEqual({
      id: 'hub',
      host: '127.0.0.1',
      port: 9000,
      tokens: ['s3cret'],
      parentUrl: 'ws://root:8000/fame/v1/attach/ws/downstream',
      parentToken: 'up',
      maxInitialAttempts: 0,
      logLevel: 'warn',
      showEnvelopes: true,
      peerTokens: [],
      limits: {},
      http: true,
    });
  });

  it('reads the limits on hostile peers and the peer settings, flags over variables', () => {
    const env = {
      FAME_MAX_CONNECTIONS: '500',
      FAME_SLOW_CONSUMER_MS: '2500',
      FAME_DEFAULT_TTL: '8',
      FAME_PEER_TOKEN: 'peer-secret',
      FAME_PEER_LOGICALS: 'fame.fabric, *.shared.example',
    };
    const options = sentinelOptionsFromEnv(env, ['--max-connections', '600', '--max-queued-bytes', '1048576', '--upgrade-timeout-ms', '0']);
    expect(options.limits).toEqual({
      maxConnections: 600,
      slowConsumerMs: 2500,
      defaultTtl: 8,
      maxQueuedBytes: 1048576,
      upgradeTimeoutMs: 0,
    });
    expect(options.peerTokens).toEqual(['peer-secret']);
    expect(options.peerLogicals).toEqual(['fame.fabric', '*.shared.example']);
    expect(() => sentinelOptionsFromEnv({ FAME_MAX_FLOWS_PER_LINK: 'lots' })).toThrow(/FAME_MAX_FLOWS_PER_LINK/);
    expect(() => sentinelOptionsFromEnv({}, ['--slow-consumer-ms', '-1'])).toThrow(/--slow-consumer-ms/);
  });

  it('documents defaults that are the libraries’ own', () => {
    expect(SENTINEL_LIMITS.maxConnections.default).toBe(DEFAULT_MAX_CONNECTIONS);
    expect(SENTINEL_LIMITS.maxConnectionsPerAddress.default).toBe(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
    expect(SENTINEL_LIMITS.upgradeTimeoutMs.default).toBe(DEFAULT_UPGRADE_TIMEOUT_MS);
    expect(SENTINEL_LIMITS.authFailureMaxDelayMs.default).toBe(DEFAULT_AUTH_FAILURE_MAX_DELAY_MS);
    expect(SENTINEL_LIMITS.httpMaxBodyBytes.default).toBe(DEFAULT_MAX_ENVELOPE_BYTES);
    expect(SENTINEL_LIMITS.httpReceiveTimeoutMs.default).toBe(DEFAULT_RECEIVE_TIMEOUT_MS);
    expect(SENTINEL_LIMITS.httpKeepAliveTimeoutMs.default).toBe(DEFAULT_KEEP_ALIVE_TIMEOUT_MS);
    expect(SENTINEL_LIMITS.httpMaxPendingLinks.default).toBe(DEFAULT_MAX_PENDING_LINKS);
    expect(SENTINEL_LIMITS.httpPendingLinkTimeoutMs.default).toBe(DEFAULT_PENDING_LINK_TIMEOUT_MS);
  });

  it('gives the HTTP ingress and the shared server the limits that mean the same there', () => {
    const options = sentinelOptionsFromEnv({ FAME_HTTP_MAX_PENDING_LINKS: '20' }, [
      '--max-connections',
      '600',
      '--auth-failure-max-delay-ms',
      '500',
      '--upgrade-timeout-ms',
      '3000',
      '--http-max-body-bytes',
      '65536',
      '--http-receive-timeout-ms',
      '4000',
    ]);
    expect(limitSettings(options.limits)).toMatchObject({
      http: { maxConnections: 600, authFailureMaxDelayMs: 500, maxBodyBytes: 65536, maxPendingLinks: 20 },
      server: { maxConnections: 600, headersTimeoutMs: 3000, receiveTimeoutMs: 4000 },
    });
  });

  it('prefers FAME_LISTENER_WEBSOCKET_PORT over FAME_LISTENER_PORT, and a flag over both', () => {
    const env = { FAME_LISTENER_PORT: '9000', FAME_LISTENER_WEBSOCKET_PORT: '9001' };
    expect(sentinelOptionsFromEnv(env).port).toBe(9001);
    expect(sentinelOptionsFromEnv(env, ['--port', '0']).port).toBe(0);
    expect(sentinelOptionsFromEnv(env, ['-p', '7']).port).toBe(7);
  });

  it('lets every flag override its variable', () => {
    const env = {
      FAME_NODE_ID: 'env-id',
      FAME_LISTENER_HOST: '10.0.0.1',
      FAME_SENTINEL_TOKEN: 'env-token',
      FAME_DIRECT_ADMISSION_URL: 'ws://env/x',
      FAME_PARENT_TOKEN: 'env-up',
      FAME_SESSION_MAX_INITIAL_ATTEMPTS: '3',
      FAME_LOG_LEVEL: 'DEBUG',
      FAME_SHOW_ENVELOPES: '1',
    };
    const options = sentinelOptionsFromEnv(env, [
      '--id=flag-id',
      '--host',
      '127.0.0.1',
      '--token',
      'a',
      '--token',
      'b',
      '--parent',
      'wss://flag/y',
      '--parent-token',
      'flag-up',
      '--max-initial-attempts',
      '5',
      '--log-level',
      'error',
      '--no-show-envelopes',
    ]);
    expect(options).toMatchObject({
      id: 'flag-id',
      host: '127.0.0.1',
      tokens: ['a', 'b'],
      parentUrl: 'wss://flag/y',
      parentToken: 'flag-up',
      maxInitialAttempts: 5,
      logLevel: 'error',
      showEnvelopes: false,
    });
    expect(sentinelOptionsFromEnv({ FAME_SHOW_ENVELOPES: 'off' }, ['--show-envelopes']).showEnvelopes).toBe(true);
    expect(sentinelOptionsFromEnv({ FAME_LISTENER_HTTP_ENABLED: 'false' }, ['--http']).http).toBe(true);
    expect(sentinelOptionsFromEnv({ FAME_LISTENER_HTTP_ENABLED: 'yes' }, ['--no-http']).http).toBe(false);
  });

  it('treats empty variables as unset', () => {
    expect(sentinelOptionsFromEnv({ FAME_LISTENER_PORT: '', FAME_NODE_ID: ' ', FAME_LOG_LEVEL: '' })).toMatchObject({
      port: 8000,
      logLevel: 'info',
    });
    expect(sentinelOptionsFromEnv({ FAME_NODE_ID: '' }).id).toBeUndefined();
  });

  it.each([
    [{}, ['--port', '70000'], /invalid port/],
    [{ FAME_LISTENER_PORT: 'eighty' }, [], /FAME_LISTENER_PORT: invalid port/],
    [{}, ['--bogus'], /Unknown option/],
    [{}, ['stray'], /stray/],
    [{ FAME_SHOW_ENVELOPES: 'maybe' }, [], /FAME_SHOW_ENVELOPES/],
    [{ FAME_LOG_LEVEL: 'loud' }, [], /unknown log level/],
    [{ FAME_SESSION_MAX_INITIAL_ATTEMPTS: '-1' }, [], /whole number/],
    [{ FAME_DIRECT_ADMISSION_URL: 'ftp://x' }, [], /ws:\/\/, wss:\/\/, http:\/\/ or https:\/\//],
    [{}, ['--id', 'a/b'], /invalid node id/],
  ])('refuses %j %j', (env, argv, message) => {
    expect(() => sentinelOptionsFromEnv(env, argv)).toThrow(ConfigError);
    expect(() => sentinelOptionsFromEnv(env, argv)).toThrow(message);
  });
});

describe('toLogLevel', () => {
  it('maps the reference names and pino names, in any case', () => {
    expect(['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', 'OFF'].map((name) => toLogLevel(name))).toEqual([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'silent',
    ]);
    expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent', 'Warn'].map((name) => toLogLevel(name))).toEqual([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'silent',
      'warn',
    ]);
  });
});
