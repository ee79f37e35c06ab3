import { ConfigError } from '@naylence/core';
import { compileGlob, globMatches } from './glob.js';

export type PolicyEffect = 'allow' | 'deny';
/** Actions a rule can name (matching ignores case, spaces, `_` and `-`). */
export const POLICY_ACTIONS = ['Connect', 'ForwardUpstream', 'ForwardDownstream', 'ForwardPeer', 'DeliverLocal'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** A scope requirement: a glob, or any_of / all_of / none_of of requirements (≤ 5 levels). */
export type ScopeRequirement =
  | string
  | { readonly any_of: readonly ScopeRequirement[] }
  | { readonly all_of: readonly ScopeRequirement[] }
  | { readonly none_of: readonly ScopeRequirement[] };

export interface PolicyRule {
  readonly id: string;
  readonly effect: PolicyEffect;
  /** Normalized action names, or `*`. */
  readonly actions: readonly string[];
  readonly addresses?: readonly string[];
  readonly originTypes?: readonly string[];
  readonly scope?: ScopeRequirement;
  /** `frame_type` / `when` are advanced-policy features: such a rule is skipped. */
  readonly skipped: boolean;
}

/** What a decision is about. */
export interface PolicyRequest {
  readonly action: PolicyAction;
  /** The envelope's `to` address (not for Connect). */
  readonly address?: string;
  readonly originType?: string;
  readonly grantedScopes: readonly string[];
}

export interface PolicyDecision {
  readonly effect: PolicyEffect;
  /** The id of the first matching rule; undefined when the default effect applied. */
  readonly matchedRule: string | undefined;
}

/** A loaded `BasicAuthorizationPolicy`. */
export interface AuthorizationPolicy {
  readonly defaultEffect: PolicyEffect;
  readonly rules: readonly PolicyRule[];
  evaluate(request: PolicyRequest): PolicyDecision;
}

const MAX_SCOPE_DEPTH = 5;
const normalizeAction = (action: string): string => action.replace(/[\s_-]/g, '').toLowerCase();

function stringList(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new ConfigError(`policy: ${what} must be a string or a list of strings`);
}

function parseScope(value: unknown, depth: number, where: string): ScopeRequirement {
  if (depth > MAX_SCOPE_DEPTH) throw new ConfigError(`policy: ${where}: scope requirements nest deeper than ${MAX_SCOPE_DEPTH} levels`);
  if (typeof value === 'string') {
    compileGlob(value);
    return value;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    const [key, list] = entries[0] ?? [];
    if (entries.length === 1 && (key === 'any_of' || key === 'all_of' || key === 'none_of') && Array.isArray(list)) {
      return { [key]: list.map((item: unknown) => parseScope(item, depth + 1, where)) } as unknown as ScopeRequirement;
    }
  }
  throw new ConfigError(`policy: ${where}: scope must be a glob or one of {any_of|all_of|none_of: [...]}`);
}

function scopeHolds(requirement: ScopeRequirement, granted: readonly string[]): boolean {
  if (typeof requirement === 'string') return granted.some((scope) => globMatches(requirement, scope));
  if ('any_of' in requirement) return requirement.any_of.some((r) => scopeHolds(r, granted));
  if ('all_of' in requirement) return requirement.all_of.every((r) => scopeHolds(r, granted));
  return !requirement.none_of.some((r) => scopeHolds(r, granted));
}

function parseEffect(value: unknown, where: string): PolicyEffect {
  if (value === 'allow' || value === 'deny') return value;
  throw new ConfigError(`policy: ${where}: effect must be "allow" or "deny", got ${JSON.stringify(value)}`);
}

function parseRule(raw: unknown, index: number): PolicyRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`policy: rule ${index} is not an object`);
  const rule = raw as Record<string, unknown>;
  const id = typeof rule.id === 'string' && rule.id !== '' ? rule.id : `rule_${index}`;
  const actions = (stringList(rule.action, `rule ${id}: action`) ?? ['*']).map((a) => {
    if (a === '*') return a;
    const normalized = normalizeAction(a);
    if (!POLICY_ACTIONS.some((known) => normalizeAction(known) === normalized))
      throw new ConfigError(`policy: rule ${id}: unknown action ${JSON.stringify(a)}`);
    return normalized;
  });
  const addresses = stringList(rule.address, `rule ${id}: address`);
  addresses?.forEach(compileGlob);
  const originTypes = stringList(rule.origin_type ?? rule.originType, `rule ${id}: origin_type`)?.map((o) => o.toLowerCase());
  return {
    id,
    effect: parseEffect(rule.effect, `rule ${id}`),
    actions,
    ...(addresses !== undefined && { addresses }),
    ...(originTypes !== undefined && { originTypes }),
    ...(rule.scope !== undefined && { scope: parseScope(rule.scope, 1, `rule ${id}`) }),
    skipped: rule.frame_type !== undefined || rule.frameType !== undefined || rule.when !== undefined,
  };
}

/**
 * A `BasicAuthorizationPolicy` from its document (admission-and-http §6.3): the first rule
 * whose origin type, action, address and scope requirement all match decides; no match →
 * `default_effect` (default deny). Rules with `frame_type` or `when` are skipped.
 * @throws ConfigError for an unsupported type or version, a malformed rule or a regex pattern
 */
export function basicAuthorizationPolicy(document: unknown): AuthorizationPolicy {
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new ConfigError('policy: the document must be an object');
  const doc = document as Record<string, unknown>;
  if (doc.type !== undefined && doc.type !== 'BasicAuthorizationPolicy') {
    throw new ConfigError(`policy: unsupported policy type ${JSON.stringify(doc.type)} (only BasicAuthorizationPolicy)`);
  }
  if (doc.version !== undefined && doc.version !== '1' && doc.version !== 1)
    throw new ConfigError(`policy: unsupported version ${JSON.stringify(doc.version)}`);
  const defaultEffect = parseEffect(doc.default_effect ?? doc.defaultEffect ?? 'deny', 'default_effect');
  if (doc.rules !== undefined && !Array.isArray(doc.rules)) throw new ConfigError('policy: rules must be a list');
  const rules = ((doc.rules as unknown[] | undefined) ?? []).map(parseRule);

  return {
    defaultEffect,
    rules,
    evaluate(request) {
      const action = normalizeAction(request.action);
      const origin = request.originType?.toLowerCase();
      for (const rule of rules) {
        if (rule.skipped) continue;
        if (rule.originTypes !== undefined && (origin === undefined || !rule.originTypes.includes(origin))) continue;
        if (!rule.actions.includes('*') && !rule.actions.includes(action)) continue;
        if (rule.addresses !== undefined) {
          const address = request.address;
          if (address === undefined || !rule.addresses.some((pattern) => globMatches(pattern, address))) continue;
        }
        if (rule.scope !== undefined && !scopeHolds(rule.scope, request.grantedScopes)) continue;
        return { effect: rule.effect, matchedRule: rule.id };
      }
      return { effect: defaultEffect, matchedRule: undefined };
    },
  };
}
