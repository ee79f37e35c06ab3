/**
 * The credentials a child presents to its parent, from the reference's environment
 * (admission-and-http §1.1): the `direct` admission profile fetches OAuth2 client-credentials
 * tokens from `FAME_ADMISSION_TOKEN_URL` with `FAME_ADMISSION_CLIENT_ID` and
 * `FAME_ADMISSION_CLIENT_SECRET`, for the audience `FAME_JWT_AUDIENCE`, scope `node.connect`.
 */
import { ConfigError, type Logger } from '@naylence/core';
import { envString, processEnv, type Environment } from '../config-values.js';
import { oauth2ClientCredentialsTokenProvider, type OAuth2ClientCredentialsTokenProvider } from './client-credentials.js';

/** The variables {@link admissionTokenProviderFromEnv} reads. */
export const ADMISSION_TOKEN_ENV = Object.freeze({
  tokenUrl: 'FAME_ADMISSION_TOKEN_URL',
  clientId: 'FAME_ADMISSION_CLIENT_ID',
  clientSecret: 'FAME_ADMISSION_CLIENT_SECRET',
  audience: 'FAME_JWT_AUDIENCE',
});

/**
 * The client-credentials token provider the environment asks for, or undefined when none of
 * `FAME_ADMISSION_TOKEN_URL`, `…_CLIENT_ID`, `…_CLIENT_SECRET` is set.
 * @throws ConfigError naming the variable when only some of them are set (a node told to
 *   fetch tokens never attaches without them)
 */
export function admissionTokenProviderFromEnv(
  env: Environment = processEnv(),
  options: { readonly logger?: Logger } = {},
): OAuth2ClientCredentialsTokenProvider | undefined {
  const tokenUrl = envString(env, ADMISSION_TOKEN_ENV.tokenUrl);
  const clientId = envString(env, ADMISSION_TOKEN_ENV.clientId);
  const clientSecret = envString(env, ADMISSION_TOKEN_ENV.clientSecret);
  if (tokenUrl === undefined && clientId === undefined && clientSecret === undefined) return undefined;
  for (const [name, value] of [
    [ADMISSION_TOKEN_ENV.tokenUrl, tokenUrl],
    [ADMISSION_TOKEN_ENV.clientId, clientId],
    [ADMISSION_TOKEN_ENV.clientSecret, clientSecret],
  ] as const) {
    if (value === undefined) throw new ConfigError(`${name} is required to fetch OAuth2 admission tokens`, { setting: name });
  }
  const audience = envString(env, ADMISSION_TOKEN_ENV.audience);
  return oauth2ClientCredentialsTokenProvider({
    tokenUrl: tokenUrl!,
    clientId: clientId!,
    clientSecret: clientSecret!,
    scopes: ['node.connect'],
    ...(audience !== undefined && { audience }),
    ...(options.logger !== undefined && { logger: options.logger }),
  });
}
