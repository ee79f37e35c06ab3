import { readFileSync } from 'node:fs';
import { ConfigError, NOOP_LOGGER, type AuthorizationContext, type Authorizer, type Logger, type NodeAttachFrame } from '@naylence/core';
import { bearerToken, grantedScopes, stringClaim } from '../../jwt/claims.js';
import { TokenVerificationError } from '../../jwt/token-errors.js';
import type { TokenVerifier } from '../../jwt/verify.js';
import { nodeBindingViolation } from '../node-binding.js';
import { rateLimitedLog } from '../refusal-log.js';
import { basicAuthorizationPolicy, type AuthorizationPolicy, type PolicyAction, type PolicyDecision } from './basic-policy.js';

/** Routing actions of the fabric and the policy action each is checked as. */
const ROUTING_ACTIONS: Readonly<Record<string, PolicyAction | undefined>> = {
  ForwardUp: 'ForwardUpstream',
  ForwardUpstream: 'ForwardUpstream',
  ForwardChild: 'ForwardDownstream',
  ForwardDownstream: 'ForwardDownstream',
  ForwardPeer: 'ForwardPeer',
  DeliverLocal: 'DeliverLocal',
  Drop: undefined,
  Deny: undefined,
};

export interface RouteRequest {
  /** A routing action (`ForwardUp`, `ForwardChild`, `ForwardPeer`, `DeliverLocal`, `Drop`, `Deny`) or a policy action. */
  readonly action: string;
  /** The envelope's `to`. */
  readonly to?: string;
  /** Where the envelope came from: `downstream`, `upstream`, `peer`, `local`. */
  readonly originType?: string;
}

export interface PolicyAuthorizer extends Authorizer {
  readonly policy: AuthorizationPolicy;
  authorizeAttach(attach: NodeAttachFrame, context: AuthorizationContext): Promise<boolean>;
  /** The policy's decision for routing an envelope (a deny becomes an opaque NACK). */
  authorizeRoute(request: RouteRequest, context: AuthorizationContext | undefined): PolicyDecision & { readonly authorized: boolean };
}

/**
 * The policy authorizer (`policy-localfile`, admission-and-http §6.2): links authenticate with
 * a verified token (context `authorized: false` until the policy says otherwise); a NodeAttach
 * is allowed when the policy allows `Connect` for the token's scopes and the attach matches the
 * token (see `nodeBindingViolation`); routing decisions come from {@link PolicyAuthorizer.authorizeRoute}.
 */
export function policyAuthorizer(options: {
  readonly verifier: TokenVerifier;
  readonly policy: AuthorizationPolicy;
  readonly logger?: Logger;
}): PolicyAuthorizer {
  const { verifier, policy } = options;
  const logRefusal = rateLimitedLog((options.logger ?? NOOP_LOGGER).child({ component: 'authorizer', authMethod: 'policy' }));
  return {
    policy,
    async authenticate(credentials) {
      const token = bearerToken(credentials);
      try {
        if (token === undefined) throw new TokenVerificationError('missing', 'Invalid token: no bearer token');
        const { claims } = await verifier.verify(token);
        return Object.freeze({
          authenticated: true,
          authorized: false,
          principal: stringClaim(claims, 'sub') ?? stringClaim(claims, 'client_id') ?? 'unknown',
          claims,
          grantedScopes: grantedScopes(claims, { capabilities: true }),
          authMethod: 'policy',
        });
      } catch (error) {
        logRefusal(
          { failure: error instanceof TokenVerificationError ? error.failure : 'internal', err: (error as Error).message },
          'link refused',
        );
        return undefined;
      }
    },
    authorizeAttach(attach, context) {
      const decision = policy.evaluate({
        action: 'Connect',
        originType: attach.originType ?? 'downstream',
        grantedScopes: context.grantedScopes ?? [],
      });
      const violation =
        decision.effect === 'allow'
          ? nodeBindingViolation(attach, context.claims ?? {}, context.grantedScopes ?? [])
          : `policy denies Connect${decision.matchedRule ? ` (rule ${decision.matchedRule})` : ''}`;
      if (violation !== undefined) logRefusal({ systemId: attach.systemId, reason: violation }, 'attach refused');
      return Promise.resolve(context.authenticated && violation === undefined);
    },
    authorizeRoute(request, context) {
      const action = ROUTING_ACTIONS[request.action] ?? (request.action in ROUTING_ACTIONS ? undefined : (request.action as PolicyAction));
      if (action === undefined) return { authorized: false, effect: 'deny', matchedRule: undefined };
      const decision = policy.evaluate({
        action,
        ...(request.to !== undefined && { address: request.to }),
        ...(request.originType !== undefined && { originType: request.originType }),
        grantedScopes: context?.grantedScopes ?? [],
      });
      return { ...decision, authorized: decision.effect === 'allow' };
    },
  };
}

/**
 * Reads a policy file. `format: 'auto'` picks JSON for `.json` and YAML otherwise. YAML needs
 * a parser passed as `parseYaml` (this package ships none); without one a YAML file is a
 * ConfigError, never an open fabric.
 * @throws ConfigError naming the path when it cannot be read or parsed
 */
export function loadPolicyFile(
  path: string,
  options: { readonly format?: 'auto' | 'json' | 'yaml'; readonly parseYaml?: (text: string) => unknown } = {},
): AuthorizationPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`policy file ${JSON.stringify(path)} cannot be read: ${(error as Error).message}`);
  }
  const format =
    options.format === undefined || options.format === 'auto' ? (path.toLowerCase().endsWith('.json') ? 'json' : 'yaml') : options.format;
  let document: unknown;
  try {
    if (format === 'json') document = JSON.parse(text);
    else if (options.parseYaml !== undefined) document = options.parseYaml(text);
    else throw new ConfigError('YAML policy files need a YAML parser (parseYaml); use a .json policy file');
  } catch (error) {
    throw new ConfigError(`policy file ${JSON.stringify(path)}: ${(error as Error).message}`);
  }
  return basicAuthorizationPolicy(document);
}
