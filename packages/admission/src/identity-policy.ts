import { ConfigError, randomId } from '@naylence/core';
import { subjectFingerprint } from '@naylence/security';
import type { AdmittedGrant } from './admission-client.js';

/** What decides a node's id (admission-and-http §7, `NodeIdentityPolicy`). */
export interface NodeIdentityPolicy {
  /** `default` or `token-subject`, for logs. */
  readonly name: string;
  /** The id a node starts with: the configured one, else a persisted one, else a new random id. */
  initialId(context: { readonly configuredId?: string; readonly persistedId?: string }): string;
  /**
   * The id a node is admitted with, given its current (provisional) id and the grants it will
   * connect with. Used by direct admission, as in the reference (a welcome service decides ids
   * itself).
   */
  admissionId(context: {
    readonly currentId: string;
    readonly grants: readonly AdmittedGrant[];
    readonly signal?: AbortSignal;
  }): Promise<string>;
}

function initialId(context: { readonly configuredId?: string; readonly persistedId?: string }): string {
  return context.configuredId ?? context.persistedId ?? randomId();
}

/** `default`: the id stays what it is (the reference derives a fingerprint of the host when none is configured; we use a random id). */
export const defaultIdentityPolicy: NodeIdentityPolicy = Object.freeze({
  name: 'default',
  initialId,
  admissionId: ({ currentId }: { readonly currentId: string }) => Promise.resolve(currentId),
});

/**
 * `token-subject`: the first grant whose token provider exposes an identity (`getIdentity`, the
 * `sub` of its token, unverified) makes the id `<fingerprint(sub, 8)>-<current id>`, the prefix
 * an `oauth2-gated` parent with `FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY` checks. An id that
 * already carries the prefix keeps it once. No identity anywhere fails closed with a
 * `ConfigError` naming `FAME_NODE_IDENTITY_PROFILE` (the reference keeps the id unchanged).
 */
export const tokenSubjectIdentityPolicy: NodeIdentityPolicy = Object.freeze({
  name: 'token-subject',
  initialId,
  async admissionId({ currentId, grants, signal }: Parameters<NodeIdentityPolicy['admissionId']>[0]) {
    for (const { auth } of grants) {
      if (auth.type === 'NoAuth' || auth.tokenProvider.getIdentity === undefined) continue;
      const identity = await auth.tokenProvider.getIdentity(signal);
      if (identity === undefined || identity.subject === '') continue;
      return withSubjectPrefix(identity.subject, currentId);
    }
    throw new ConfigError(
      'FAME_NODE_IDENTITY_PROFILE=token-subject needs an admission token with a subject (OAuth2 client credentials, FAME_ADMISSION_TOKEN_URL, …); none of the grants has one',
      { setting: 'FAME_NODE_IDENTITY_PROFILE' },
    );
  },
});

/** `<fingerprint(subject, 8)>-<id>`, unless `id` already starts with that prefix. */
export function withSubjectPrefix(subject: string, id: string): string {
  const prefix = `${subjectFingerprint(subject)}-`;
  return id.startsWith(prefix) ? id : `${prefix}${id}`;
}

/**
 * The policy a `NodeIdentityPolicyProfile` name selects (`FAME_NODE_IDENTITY_PROFILE`):
 * `default` (also when blank) or `token-subject` / `token_subject`.
 * @throws ConfigError for another name
 */
export function identityPolicyProfile(name: string | undefined): NodeIdentityPolicy {
  const canonical = (name ?? '').trim().toLowerCase().replace(/_/g, '-');
  if (canonical === '' || canonical === 'default') return defaultIdentityPolicy;
  if (canonical === 'token-subject') return tokenSubjectIdentityPolicy;
  throw new ConfigError(`unknown node identity profile ${JSON.stringify(name)} (known: default, token-subject)`, {
    setting: 'FAME_NODE_IDENTITY_PROFILE',
  });
}
