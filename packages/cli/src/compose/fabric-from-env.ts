/**
 * Agents and clients configured by the reference's environment, unchanged: the composition the
 * fabric cannot do itself (it never imports security or a transport). It reads
 *
 * - `FAME_SECURITY_PROFILE`, `FAME_AUTHORIZATION_PROFILE` and the authorizer's variables →
 *   the node's `NodeSecurity` (`nodeSecurityFromEnv` of `@naylence/security`);
 * - `FAME_ADMISSION_PROFILE`, `FAME_DIRECT_ADMISSION_URL`, `FAME_ADMISSION_TOKEN_URL`,
 *   `FAME_ADMISSION_CLIENT_ID`, `FAME_ADMISSION_CLIENT_SECRET`, `FAME_JWT_AUDIENCE` → the
 *   dialer to the parent with its token provider ({@link admissionFromEnv});
 * - `FAME_PLUGINS` → security add-ons loaded first (`loadSecurityPlugins`);
 * - `FAME_NODE_ID` → the system id, and `FAME_NODE_IDENTITY_PROFILE` (`default`, or
 *   `token-subject`: the id is prefixed with the fingerprint of the admission token's `sub`,
 *   as the reference's identity policy does).
 *
 * and hands them to `createFabric`, whose fail-closed check then confirms that what the
 * environment asks for is what was built.
 */
import { ConfigError, randomId, type Environment } from '@naylence/core';
import { createFabric, type Fabric, type FabricOptions, type UpstreamOptions } from '@naylence/fabric';
import {
  loadSecurityPlugins,
  nodeSecurityFromEnv,
  subjectFingerprint,
  type NodeSecurityFromEnvOptions,
  type ProfileNodeSecurity,
} from '@naylence/security';
import { admissionFromEnv, type Admission } from './admission-profiles.js';

export interface FabricFromEnvOptions extends Omit<FabricOptions, 'security' | 'connect' | 'env' | 'listeners'> {
  /** Default `process.env`. */
  readonly env?: Environment;
  /** The parent's attach URL, instead of `FAME_DIRECT_ADMISSION_URL`. */
  readonly parentUrl?: string;
  /** A static token for the parent when no OAuth2 credentials are configured (default `FAME_PARENT_TOKEN`). */
  readonly parentToken?: string;
  /** Settings of the link to the parent besides its dialer (reconnect, heartbeat, timeouts). */
  readonly upstream?: Omit<UpstreamOptions, 'dialer' | 'enforces'>;
  /** Settings of the node's security besides the environment (its keys, `verifyEveryHop`, key-request timing). */
  readonly securityOptions?: Omit<NodeSecurityFromEnvOptions, 'env' | 'acceptsLinks' | 'logger'>;
}

/** `createFabric` options built from the environment, and what was built. */
export interface FabricOptionsFromEnv extends FabricOptions {
  readonly systemId: string;
  readonly security: ProfileNodeSecurity;
  readonly admission: Admission;
}

const ENV_NODE_ID = 'FAME_NODE_ID';
const ENV_IDENTITY_PROFILE = 'FAME_NODE_IDENTITY_PROFILE';

function processEnv(): Environment {
  return process.env;
}

/**
 * The options {@link createFabricFromEnv} passes to `createFabric`, for programs that add their
 * own (hooks, delivery, a listener built with `security.authorizer` when `acceptsLinks`).
 * @throws ConfigError / NotRegisteredError naming the setting that cannot be honoured
 */
export async function fabricOptionsFromEnv(
  options: FabricFromEnvOptions & { readonly acceptsLinks?: boolean } = {},
): Promise<FabricOptionsFromEnv> {
  const { env = processEnv(), parentUrl, parentToken, upstream, securityOptions, acceptsLinks, ...rest } = options;
  const admission = admissionFromEnv({
    env,
    ...(parentUrl !== undefined && { url: parentUrl }),
    ...(parentToken !== undefined && { token: parentToken }),
    ...(rest.logger !== undefined && { logger: rest.logger }),
  });
  const baseId = rest.systemId ?? readEnv(env, ENV_NODE_ID) ?? randomId();
  const systemId = await identityOf(baseId, admission, env);
  // Add-ons named in FAME_PLUGINS register their profiles first (one that cannot load stops the start).
  await loadSecurityPlugins({ env });
  const security = nodeSecurityFromEnv({
    ...securityOptions,
    env,
    acceptsLinks: acceptsLinks ?? false,
    ...(admission.dialer === undefined && { physicalPath: `/${systemId}` }),
    ...(rest.logger !== undefined && { logger: rest.logger }),
  });
  return {
    ...rest,
    env,
    systemId,
    security,
    admission,
    ...(admission.dialer !== undefined && { connect: { ...upstream, dialer: admission.dialer, enforces: admission.enforces } }),
  };
}

/**
 * Create and start a fabric (an agent or a client) configured by the reference's environment.
 *
 * @example
 * ```ts
 * import { createFabricFromEnv } from '@naylence/cli';
 *
 * // FAME_SECURITY_PROFILE=overlay FAME_ADMISSION_PROFILE=direct FAME_DIRECT_ADMISSION_URL=ws://…
 * // FAME_ADMISSION_TOKEN_URL=… FAME_ADMISSION_CLIENT_ID=… FAME_ADMISSION_CLIENT_SECRET=… FAME_JWT_AUDIENCE=fame.fabric
 * await using agent = await createFabricFromEnv();
 * await agent.serve('math@fame.fabric', { add: ({ x, y }: { x: number; y: number }) => x + y });
 * ```
 * @throws ConfigError / NotRegisteredError naming the setting that cannot be honoured; AttachError when the parent refuses
 */
export async function createFabricFromEnv(options: FabricFromEnvOptions = {}): Promise<Fabric> {
  const { admission: _admission, ...fabricOptions } = await fabricOptionsFromEnv(options);
  return createFabric(fabricOptions);
}

function readEnv(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `FAME_NODE_IDENTITY_PROFILE`: `default` keeps the id; `token-subject` prefixes `<fingerprint(sub, 8)>-`. */
async function identityOf(systemId: string, admission: Admission, env: Environment): Promise<string> {
  const profile = (readEnv(env, ENV_IDENTITY_PROFILE) ?? 'default').toLowerCase().replace(/_/g, '-');
  if (profile === 'default') return systemId;
  if (profile !== 'token-subject') {
    throw new ConfigError(`${ENV_IDENTITY_PROFILE}=${profile}: unknown node identity profile (default, token-subject)`, {
      setting: ENV_IDENTITY_PROFILE,
    });
  }
  const provider = admission.tokenProvider as { getIdentity?: () => Promise<{ subject: string } | undefined> } | undefined;
  if (provider?.getIdentity === undefined) {
    throw new ConfigError(`${ENV_IDENTITY_PROFILE}=token-subject needs OAuth2 admission tokens (FAME_ADMISSION_TOKEN_URL, …)`, {
      setting: ENV_IDENTITY_PROFILE,
    });
  }
  const identity = await provider.getIdentity();
  if (identity === undefined) throw new ConfigError(`${ENV_IDENTITY_PROFILE}=token-subject: the admission token has no sub`);
  return `${subjectFingerprint(identity.subject)}-${systemId}`;
}
