import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readVector } from '@naylence-tools/conformance';
import { describe, expect, it } from 'vitest';
import { createJwtIssuer } from '../../jwt/jwt-issuer.js';
import { createLocalJwksVerifier } from '../../jwt/jwks-verifier.js';
import { generateJwtSigningKey } from '../../jwt/signing-keys.js';
import { basicAuthorizationPolicy, type PolicyAction } from './basic-policy.js';
import { globMatches } from './glob.js';
import { loadPolicyFile, policyAuthorizer } from './policy-authorizer.js';

interface Vectors {
  glob_matching: { pattern: string; value: string; matches: boolean }[];
  basic_policy: {
    definition: unknown;
    decisions: {
      to?: string;
      action: PolicyAction;
      granted_scopes: string[];
      origin_type: string | null;
      effect: string;
      matched_rule: string | null;
    }[];
  };
}
const vectors = readVector<Vectors>('security/identity-policy-vectors.json');

describe('basic authorization policy', () => {
  it('matches globs like the reference', () => {
    for (const v of vectors.glob_matching) expect(globMatches(v.pattern, v.value), `${v.pattern} ~ ${v.value}`).toBe(v.matches);
  });

  it('decides every vector case like the reference', () => {
    const policy = basicAuthorizationPolicy(vectors.basic_policy.definition);
    for (const d of vectors.basic_policy.decisions) {
      const decision = policy.evaluate({
        action: d.action,
        ...(d.to !== undefined && { address: d.to }),
        ...(d.origin_type !== null && { originType: d.origin_type }),
        grantedScopes: d.granted_scopes,
      });
      expect(decision, JSON.stringify(d)).toEqual({ effect: d.effect, matchedRule: d.matched_rule ?? undefined });
    }
  });

  it('skips advanced rules, matches actions loosely, and refuses regexes and malformed documents', () => {
    const policy = basicAuthorizationPolicy({
      default_effect: 'allow',
      rules: [
        { effect: 'deny', action: 'deliver_local', when: 'x == 1' },
        { effect: 'deny', action: 'Deliver-Local', scope: { none_of: ['math.*'] } },
      ],
    });
    expect(policy.rules.map((r) => r.id)).toEqual(['rule_0', 'rule_1']);
    expect(policy.evaluate({ action: 'DeliverLocal', grantedScopes: ['math.add'] })).toEqual({ effect: 'allow', matchedRule: undefined });
    expect(policy.evaluate({ action: 'DeliverLocal', grantedScopes: [] })).toEqual({ effect: 'deny', matchedRule: 'rule_1' });
    expect(() => basicAuthorizationPolicy({ rules: [{ effect: 'allow', address: '^admin.*' }] })).toThrow(/regular-expression/);
    expect(() => basicAuthorizationPolicy({ rules: [{ effect: 'maybe' }] })).toThrow(/effect/);
    expect(() => basicAuthorizationPolicy({ rules: [{ effect: 'allow', action: 'Teleport' }] })).toThrow(/unknown action/);
    expect(() => basicAuthorizationPolicy({ type: 'AdvancedAuthorizationPolicy' })).toThrow(/unsupported policy type/);
    const deep = { any_of: [{ any_of: [{ any_of: [{ any_of: [{ any_of: [{ any_of: ['x'] }] }] }] }] }] };
    expect(() => basicAuthorizationPolicy({ rules: [{ effect: 'allow', scope: deep }] })).toThrow(/deeper than 5/);
  });
});

describe('policy authorizer', () => {
  it('authenticates with the verifier, allows Connect by policy and matching node, and authorizes routes', async () => {
    const key = await generateJwtSigningKey();
    const verifier = createLocalJwksVerifier({ jwks: { keys: [key.publicJwk!] }, issuer: 'https://auth.test', audience: '/sentinel-a' });
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    const file = path.join(dir, 'auth-policy.json');
    writeFileSync(file, JSON.stringify(vectors.basic_policy.definition));
    const authorizer = policyAuthorizer({ verifier, policy: loadPolicyFile(file) });
    const issue = (claims: Record<string, unknown>) =>
      createJwtIssuer({ issuer: 'https://auth.test', key, audience: '/sentinel-a' }).issue(claims);

    const connect = await authorizer.authenticate(`Bearer ${await issue({ sub: 'a', scope: 'node.connect', system_id: 'agent-1' })}`);
    expect(connect).toMatchObject({ authenticated: true, authorized: false, principal: 'a', authMethod: 'policy' });
    expect(await authorizer.authorizeAttach({ type: 'NodeAttach', systemId: 'agent-1', instanceId: 'i' }, connect!)).toBe(true);
    expect(await authorizer.authorizeAttach({ type: 'NodeAttach', systemId: 'agent-2', instanceId: 'i' }, connect!)).toBe(false);
    const other = await authorizer.authenticate(`Bearer ${await issue({ sub: 'b', scope: 'other' })}`);
    expect(await authorizer.authorizeAttach({ type: 'NodeAttach', systemId: 'b', instanceId: 'i' }, other!)).toBe(false);
    expect(await authorizer.authenticate('Bearer junk')).toBeUndefined();

    const math = await authorizer.authenticate(`Bearer ${await issue({ scope: 'math.add' })}`);
    expect(authorizer.authorizeRoute({ action: 'DeliverLocal', to: 'math@fame.fabric' }, math)).toMatchObject({
      authorized: true,
      matchedRule: 'math-callers',
    });
    expect(authorizer.authorizeRoute({ action: 'ForwardChild', to: 'admin@fame.fabric' }, math)).toMatchObject({
      authorized: false,
      matchedRule: 'deny-admin',
    });
    expect(authorizer.authorizeRoute({ action: 'ForwardUp', to: 'x@fame.fabric', originType: 'downstream' }, math)).toMatchObject({
      authorized: true,
    });
    expect(authorizer.authorizeRoute({ action: 'Drop' }, math)).toMatchObject({ authorized: false });
  });

  it('refuses to load a YAML policy without a parser, or a missing file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    const file = path.join(dir, 'auth-policy.yaml');
    writeFileSync(file, 'version: "1"\n');
    expect(() => loadPolicyFile(file)).toThrow(/YAML parser/);
    expect(loadPolicyFile(file, { parseYaml: () => ({ version: '1', default_effect: 'allow' }) }).defaultEffect).toBe('allow');
    expect(() => loadPolicyFile(path.join(dir, 'missing.json'))).toThrow(/cannot be read/);
  });
});
