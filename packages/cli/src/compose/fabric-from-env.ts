/**
 * Agents and clients configured by the reference's environment, unchanged: the composition the
 * fabric cannot do itself (it never imports security or a transport). It reads
 *
 * - `FAME_SECURITY_PROFILE`, `FAME_AUTHORIZATION_PROFILE` and the authorizer's variables →
 *   the node's `NodeSecurity` (`nodeSecurityFromEnv` of `@naylence/security`);
 * - `FAME_ADMISSION_PROFILE` (`direct`, `direct-http`, `open`, `welcome`, `none`, … the table of
 *   `@naylence/admission`), `FAME_DIRECT_ADMISSION_URL`, `FAME_ADMISSION_SERVICE_URL`,
 *   `FAME_ADMISSION_TOKEN_URL`, `FAME_ADMISSION_CLIENT_ID`, `FAME_ADMISSION_CLIENT_SECRET`,
 *   `FAME_JWT_AUDIENCE` → the node admitted and the dialer of its parent ({@link admitFromEnv});
 * - `FAME_PLUGINS` → security add-ons loaded first (`loadSecurityPlugins`);
 * - `FAME_SIGNING_KEY` → a persistent signing key (PEM text or file) instead of a fresh one;
 * - `FAME_NODE_ID` → the system id, and `FAME_NODE_IDENTITY_PROFILE` (`default`, or
 *   `token-subject`: the id is prefixed with the fingerprint of the admission token's `sub`,
 *   as the reference's identity policy does); a welcome service assigns the id itself.
 *
 * and hands them to `createFabric`, whose fail-closed check then confirms that what the
 * environment asks for is what was built.
 */
import type { Environment } from '@naylence/core';
import { createFabric, type Fabric, type FabricOptions, type UpstreamOptions } from '@naylence/fabric';
import { loadSecurityPlugins, nodeSecurityFromEnv, type NodeSecurityFromEnvOptions, type ProfileNodeSecurity } from '@naylence/security';
import { admitFromEnv, type AdmittedNode } from '../admission-composition.js';
import { nodeKeysFromEnv } from './signing-key-from-env.js';

export interface FabricFromEnvOptions extends Omit<FabricOptions, 'security' | 'connect' | 'env' | 'listeners' | 'owns'> {
  /** Default `process.env`. */
  readonly env?: Environment;
  /** The parent's attach URL, instead of `FAME_DIRECT_ADMISSION_URL`. */
  readonly parentUrl?: string;
  /** A static token for the parent when no OAuth2 credentials are configured (default `FAME_PARENT_TOKEN`). */
  readonly parentToken?: string;
  /** Settings of the link to the parent besides its dialer (reconnect, heartbeat). */
  readonly upstream?: Pick<UpstreamOptions, 'reconnect' | 'heartbeatMs'>;
  /** Settings of the node's security besides the environment (its keys, `verifyEveryHop`, key-request timing). */
  readonly securityOptions?: Omit<NodeSecurityFromEnvOptions, 'env' | 'acceptsLinks' | 'logger'>;
  /** Aborts a welcome admission under way. */
  readonly signal?: AbortSignal;
}

/** `createFabric` options built from the environment, and what was built. */
export interface FabricOptionsFromEnv extends FabricOptions {
  readonly systemId: string;
  readonly security: ProfileNodeSecurity;
  /** The admission (its renewal, an HTTP callback listener): listed in `owns`, so the fabric disposes it when it stops. */
  readonly admitted: AdmittedNode;
}

function processEnv(): Environment {
  return process.env;
}

/**
 * The options {@link createFabricFromEnv} passes to `createFabric`, for programs that add their
 * own (hooks, delivery, a listener built with `security.authorizer` when `acceptsLinks`). The
 * node is admitted here (a `welcome` profile asks its welcome service now); `owns` hands the
 * admission to the fabric, so dispose `admitted` yourself if you never build the fabric.
 * @throws ConfigError / NotRegisteredError naming the setting that cannot be honoured; the welcome service's refusal
 */
export async function fabricOptionsFromEnv(
  options: FabricFromEnvOptions & { readonly acceptsLinks?: boolean } = {},
): Promise<FabricOptionsFromEnv> {
  const { env = processEnv(), parentUrl, parentToken, upstream, securityOptions, acceptsLinks, signal, ...rest } = options;
  // Add-ons named in FAME_PLUGINS register their profiles first (one that cannot load stops the start).
  await loadSecurityPlugins({ env });
  const admitted = await admitFromEnv({
    env,
    ...(parentUrl !== undefined && { parentUrl }),
    ...(parentToken !== undefined && { token: parentToken }),
    ...(rest.systemId !== undefined && { systemId: rest.systemId }),
    ...(rest.requestedLogicals !== undefined && { logicals: rest.requestedLogicals }),
    ...(upstream?.reconnect !== undefined && { reconnect: upstream.reconnect }),
    ...(upstream?.heartbeatMs !== undefined && { heartbeatMs: upstream.heartbeatMs }),
    ...(rest.logger !== undefined && { logger: rest.logger }),
    ...(signal !== undefined && { signal }),
  });
  try {
    const keys = securityOptions?.keys ?? nodeKeysFromEnv(env);
    const security = nodeSecurityFromEnv({
      ...securityOptions,
      ...(keys !== undefined && { keys }),
      env,
      acceptsLinks: acceptsLinks ?? false,
      ...(!admitted.hasUpstream && { physicalPath: `/${admitted.systemId}` }),
      ...(rest.logger !== undefined && { logger: rest.logger }),
    });
    return { ...rest, ...admitted.fabricOptions, env, systemId: admitted.systemId, security, admitted, owns: [admitted] };
  } catch (error) {
    await admitted.close();
    throw error;
  }
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
  const { admitted, ...fabricOptions } = await fabricOptionsFromEnv(options);
  try {
    return await createFabric(fabricOptions);
  } catch (error) {
    await admitted.close(); // already closed when the fabric was built and stopped; closing twice is harmless
    throw error;
  }
}
