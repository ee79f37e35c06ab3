import { ConfigError } from './errors.js';

/**
 * Security, authorization and admission profiles (protocol-security §1, admission-and-http
 * §1.1, §6.1): the names a deployment asks for through `FAME_SECURITY_PROFILE`,
 * `FAME_AUTHORIZATION_PROFILE` and `FAME_ADMISSION_PROFILE` (or the equivalent options), and the
 * check that this build can enforce them. A node asked for something it cannot enforce must
 * refuse to start rather than run open; {@link resolveProfiles} is that check, shared by
 * `createFabric` and `naylence sentinel`. Components that enforce more (a `NodeSecurity`
 * built from `@naylence/security`'s profile registry) declare it in `NodeSecurity.enforces`.
 */

/** Profile names as asked for; undefined or empty = the default. */
export interface ProfileRequest {
  readonly security?: string | undefined;
  readonly authorization?: string | undefined;
  readonly admission?: string | undefined;
}

/** Profile names something can enforce. */
export interface EnforcedProfiles {
  readonly security: readonly string[];
  readonly authorization: readonly string[];
  readonly admission: readonly string[];
}

/** The profiles a node runs with (admission undefined = the node's default: none for a root). */
export interface ResolvedProfiles {
  readonly security: string;
  readonly authorization: string;
  readonly admission: string | undefined;
}

/** Environment variables as a map (e.g. `process.env`). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Where each profile is read from. */
export const PROFILE_ENV = {
  security: 'FAME_SECURITY_PROFILE',
  authorization: 'FAME_AUTHORIZATION_PROFILE',
  admission: 'FAME_ADMISSION_PROFILE',
} as const;

/** What this build enforces by itself: no envelope security, no authorization, direct admission. */
export const BUILT_IN_PROFILES: EnforcedProfiles = Object.freeze({
  security: Object.freeze(['open']),
  authorization: Object.freeze(['noop']),
  // `direct` and `open` dial the parent with at most a static token; `noop`/`none` = no parent.
  admission: Object.freeze(['direct', 'open', 'noop', 'none']),
});

/** The authorizer profile each security profile implies when none is named (protocol-security §1.2). */
const DEFAULT_AUTHORIZATION: Readonly<Record<string, string>> = {
  open: 'noop',
  gated: 'oauth2-gated',
  'gated-callback': 'oauth2-callback',
  overlay: 'oauth2',
  'overlay-callback': 'oauth2-callback',
  'strict-overlay': 'jwt',
};

const AUTHORIZATION_ALIASES: Readonly<Record<string, string>> = {
  'no-op': 'noop',
  jwks: 'jwt',
  default: 'jwt',
  oidc: 'oauth2',
  'reverse-auth': 'oauth2-callback',
  policy: 'policy-localfile',
};

/** The authorization profile a blank name means, as in the reference. */
const BLANK_AUTHORIZATION_PROFILE = 'oauth2';

/**
 * The canonical name of an authorization profile (admission-and-http §6.1): spaces and
 * underscores become `-`, lower case, then aliases (`jwks`/`default` → `jwt`, `oidc` →
 * `oauth2`, `reverse-auth` → `oauth2-callback`, `policy` → `policy-localfile`, `no-op` →
 * `noop`); a blank name means `oauth2`, as in the reference. The one name table of this check
 * and of `@naylence/security`'s profile registry.
 */
export function canonicalAuthorizationProfile(name: string | undefined): string {
  if (name === undefined || name.trim() === '') return BLANK_AUTHORIZATION_PROFILE;
  const dashed = name
    .trim()
    .replace(/[\s_]+/g, '-')
    .toLowerCase();
  return AUTHORIZATION_ALIASES[dashed] ?? dashed;
}

/** Settings that ask the `direct` admission profile for OAuth2 client-credentials tokens. */
const ADMISSION_OAUTH2_ENV = ['FAME_ADMISSION_TOKEN_URL', 'FAME_ADMISSION_CLIENT_ID', 'FAME_ADMISSION_CLIENT_SECRET'] as const;

function canonical(kind: keyof ProfileRequest, name: string): string {
  if (kind === 'authorization') return canonicalAuthorizationProfile(name);
  const lower = name.trim().toLowerCase();
  return kind === 'security' ? lower : lower.replace(/[\s_]+/g, '-');
}

function read(env: Environment | undefined, name: string): string | undefined {
  const value = env?.[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The profile one setting asks for: the option, the environment variable, or neither. When
 * both are given they must agree: a program cannot quietly override a deployment's setting.
 * A blank option or variable asks for nothing, except `FAME_AUTHORIZATION_PROFILE` set blank,
 * which the reference reads as `oauth2` (so it is refused here rather than run as `noop`).
 */
function requested(kind: keyof ProfileRequest, option: string | undefined, env: Environment | undefined): string | undefined {
  const fromOption = option === undefined || option.trim() === '' ? undefined : canonical(kind, option);
  const raw = env?.[PROFILE_ENV[kind]];
  const blankAuthorization = kind === 'authorization' && raw !== undefined && raw.trim() === '';
  const fromEnv = raw === undefined || (raw.trim() === '' && !blankAuthorization) ? undefined : canonical(kind, raw);
  if (fromOption !== undefined && fromEnv !== undefined && fromOption !== fromEnv) {
    throw new ConfigError(`the ${kind} profile option (${fromOption}) contradicts ${PROFILE_ENV[kind]}=${raw}; set one of them`, {
      setting: PROFILE_ENV[kind],
    });
  }
  return fromOption ?? fromEnv;
}

/**
 * Decide the profiles a node runs with and check that they can be enforced: by this build
 * ({@link BUILT_IN_PROFILES}) or by one of `enforcedBy` (the node's security components).
 *
 * @throws ConfigError (`INVALID_CONFIG`, `setting` = the variable) for a profile nothing here
 *   enforces, for an option that contradicts the environment, and for `direct` admission asked
 *   to fetch OAuth2 tokens (`FAME_ADMISSION_CLIENT_ID`…) that nothing here can fetch
 */
export function resolveProfiles(
  options: ProfileRequest = {},
  env: Environment | undefined = undefined,
  enforcedBy: readonly Partial<EnforcedProfiles>[] = [],
): ResolvedProfiles {
  const can = (kind: keyof EnforcedProfiles, name: string): boolean =>
    BUILT_IN_PROFILES[kind].includes(name) || enforcedBy.some((e) => e[kind]?.includes(name));
  const refuse = (kind: keyof EnforcedProfiles, name: string): never => {
    const known = [...new Set([...BUILT_IN_PROFILES[kind], ...enforcedBy.flatMap((e) => e[kind] ?? [])])];
    // Profiles the node's components could enforce if they were given: say where they come from.
    const hint =
      kind === 'admission'
        ? '; an upstream that enforces it declares so in connect.enforces (createFabricFromEnv in @naylence/cli builds one)'
        : '; a NodeSecurity that enforces it comes from nodeSecurityFromEnv in @naylence/security (createFabricFromEnv and naylence sentinel in @naylence/cli build one)';
    throw new ConfigError(
      `${PROFILE_ENV[kind]}=${name}: this node cannot enforce the ${kind} profile ${JSON.stringify(name)} ` +
        `(it enforces: ${known.join(', ')}); refusing to start rather than run without it${hint}`,
      { setting: PROFILE_ENV[kind] },
    );
  };

  const security = requested('security', options.security, env) ?? 'open';
  if (!can('security', security)) refuse('security', security);
  const authorization = requested('authorization', options.authorization, env) ?? DEFAULT_AUTHORIZATION[security] ?? 'noop';
  if (!can('authorization', authorization)) refuse('authorization', authorization);
  const admission = requested('admission', options.admission, env);
  if (admission !== undefined && !can('admission', admission)) refuse('admission', admission);
  if ((admission === undefined || admission === 'direct') && !enforcedBy.some((e) => e.admission?.includes('direct'))) {
    const oauth2 = ADMISSION_OAUTH2_ENV.find((name) => read(env, name) !== undefined);
    if (oauth2 !== undefined) {
      throw new ConfigError(
        `${oauth2} asks for OAuth2 client-credentials admission tokens, which this node cannot fetch; ` +
          'refusing to start rather than attach without them',
        { setting: oauth2 },
      );
    }
  }
  return { security, authorization, admission };
}
