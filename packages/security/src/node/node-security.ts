/**
 * A node's security, built from a resolved profile: the `NodeSecurity` the fabric calls at its
 * seam (`@naylence/core`, `contracts/security.ts`). It composes this package's components:
 *
 * | the profile needs               | what is built                                                                                      |
 * | ------------------------------- | -------------------------------------------------------------------------------------------------- |
 * | nothing (`open` with `noop`)    | no member at all: the fabric's path is exactly the open one                                        |
 * | an authorizer (`gated`, …)      | `authorizeAttach` only: tokens are checked at attach, never per envelope                           |
 * | signatures (`overlay`, …)       | the stages (sign what this node originates, check what arrives), key exchange and `authorizeAttach` |
 * | encryption (`strict-overlay`, a policy with channel or sealed levels) | the above plus {@link NodeEncryption}: encrypt after signing in `outbound`, decrypt in `deliver` (before the final checks), Secure* frames and by-address key requests in `claim` |
 */
import {
  ConfigError,
  EnvelopeRejection,
  FameError,
  NOOP_LOGGER,
  type Authorizer,
  type EnforcedProfiles,
  type EnvelopeContext,
  type FameEnvelope,
  type KeyAnnounceFrame,
  type KeyRequestFrame,
  type Logger,
  type NodeAttachAckFrame,
  type NodeIdentity,
  type NodeSecurity,
  type SecurityHost,
  type SecurityLink,
  type SecurityStage,
  type StageResult,
} from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { KeyStore } from '../keys/key-store.js';
import { NodeKeys } from '../keys/node-keys.js';
import type { ResolvedSecurityProfile } from '../policy/resolve-profile.js';
import { CRITICAL_FRAME_TYPES, type PolicyContext, type SecurityPolicy } from '../policy/security-policy.js';
import type { EnvelopeSigner } from '../signing/envelope-signer.js';
import { EnvelopeVerifier } from '../signing/envelope-verifier.js';
import { attachAuthorization, type AttachAuthorization } from './attach-authorization.js';
import { EnvelopeChecks } from './envelope-checks.js';
import { KeyExchange } from './key-exchange.js';
import { NodeEncryption, type NodeEncryptionOptions } from './node-encryption.js';
import { ProfileComponents, refuseUnbuildableComponents } from './profile-components.js';
import { processEnv, type Environment } from '../config-values.js';
import type { SecurityComponentRegistry } from '../plugins/component-registry.js';
import type { CertificateManager } from '../plugins/plug-points.js';

export interface NodeSecurityOptions {
  /** The profile to enforce (`resolveSecurityProfile`, or see `nodeSecurityFromEnv`). */
  readonly profile: ResolvedSecurityProfile;
  /** This node's keys; default fresh ones (on `provider`). */
  readonly keys?: NodeKeys;
  /** Default: the keys' provider, else the platform's. */
  readonly provider?: CryptoProvider;
  readonly logger?: Logger;
  /**
   * Verify every routed envelope at every hop, as the reference does, instead of at the edges
   * (docs/guides/security-profiles.md, "Verification placement"). Default false.
   */
  readonly verifyEveryHop?: boolean;
  /** A KeyRequest without an answer is sent again after this long. Default 5 000 ms. */
  readonly keyRequestTimeoutMs?: number;
  /** Sends per wanted key before the envelopes waiting for it are refused. Default 3. */
  readonly keyRequestAttempts?: number;
  /** Upper bound of stored neighbour keys. Default 10 000. */
  readonly maxKeys?: number;
  /** Where components a profile names (`key_validator`, …) read `FAME_*` settings; default `process.env`. */
  readonly env?: Environment;
  /** Where those components are registered; default the process-wide registry. */
  readonly components?: SecurityComponentRegistry;
  /** Secure-channel lifetime, re-key margin, handshake timeout and bounds (profiles that encrypt). */
  readonly channels?: NodeEncryptionOptions['channelOptions'];
}

/** The `NodeSecurity` of a profile, with what the composition root needs to know about it. */
export interface ProfileNodeSecurity extends NodeSecurity {
  readonly enforces: Pick<EnforcedProfiles, 'security' | 'authorization'>;
  /** The security profile (`open`, `gated`, `overlay`, …). */
  readonly profile: string;
  /** The canonical authorization profile (`noop`, `oauth2`, …). */
  readonly authorizerProfile: string;
  /**
   * The authorizer to hand this node's listeners: it authenticates links (the token), while the
   * NodeAttach that follows is vetted once, by `authorizeAttach`, which answers a refusal with
   * its reason. Undefined when the node was built to accept no links. Unless the profile is
   * `noop`, `authorizeAttach` admits only links a listener authenticated.
   */
  readonly authorizer: Authorizer | undefined;
  readonly policy: SecurityPolicy;
  /** This node's keys and the neighbours' keys it holds (profiles that sign only). */
  readonly nodeKeys: NodeKeys | undefined;
  readonly keyStore: KeyStore | undefined;
  /** The encryption managers (profiles that encrypt or decrypt only). */
  readonly encryption: NodeEncryption | undefined;
}

/**
 * The `NodeSecurity` enforcing `options.profile`.
 * @throws ConfigError when the profile names components (`key_validator`, …) this node does not build yet
 */
export function createNodeSecurity(options: NodeSecurityOptions): ProfileNodeSecurity {
  const resolved = options.profile;
  refuseUnbuildableComponents(resolved);
  const requirements = resolved.requirements;
  if ((requirements.encryptionRequired || requirements.decryptionRequired) && !requirements.signingRequired) {
    // Channel handshakes are authenticated by their signatures only (§5.3): no encryption without them.
    throw new ConfigError(
      `security profile ${JSON.stringify(resolved.profile)} asks for encryption without signing (security_policy.signing); ` +
        'secure channels are authenticated only by signatures; refusing to start',
      { setting: 'security_policy.signing' },
    );
  }
  if (requirements.signingRequired || requirements.verificationRequired) return new SigningNodeSecurity(options);
  const named = Object.keys(resolved.components);
  if (named.length > 0) {
    throw new ConfigError(
      `security profile ${JSON.stringify(resolved.profile)} names components (${named.join(', ')}) but neither signs nor verifies; refusing to start`,
    );
  }
  const base = {
    name: `profile:${resolved.profile}`,
    enforces: enforcesOf(resolved),
    profile: resolved.profile,
    authorizerProfile: resolved.authorizerProfile,
    authorizer: forListeners(resolved.authorizer),
    policy: resolved.policy,
    nodeKeys: undefined,
    keyStore: undefined,
    encryption: undefined,
  };
  // `open` with `noop`: no member the fabric would call, so the open path stays as it is.
  if (resolved.authorizerProfile === 'noop') return Object.freeze(base);
  const authorizeAttach = attachAuthorization({
    authorizer: resolved.authorizer,
    authorizerProfile: resolved.authorizerProfile,
    policy: resolved.policy,
    keys: undefined,
    logger: (options.logger ?? NOOP_LOGGER).child({ component: 'security' }),
  });
  return Object.freeze({ ...base, authorizeAttach });
}

/** The authorizer's `authenticate` alone: the NodeAttach checks run in `authorizeAttach`, once. */
function forListeners(authorizer: Authorizer | undefined): Authorizer | undefined {
  return authorizer === undefined
    ? undefined
    : Object.freeze({ authenticate: (credentials: string | undefined) => authorizer.authenticate(credentials) });
}

function enforcesOf(resolved: ResolvedSecurityProfile): Pick<EnforcedProfiles, 'security' | 'authorization'> {
  return Object.freeze({ security: Object.freeze([resolved.profile]), authorization: Object.freeze([resolved.authorizerProfile]) });
}

/** Never signed by their sender in any profile (§3.9): the reference writes them unsigned. */
const UNSIGNED_OUTBOUND: ReadonlySet<string> = new Set(['NodeAttach', 'NodeAttachAck', 'NodeHeartbeatAck']);

/** The profiles that sign (`overlay`, `overlay-callback`, plug-ins' variants). */
class SigningNodeSecurity implements ProfileNodeSecurity {
  readonly name: string;
  readonly enforces: Pick<EnforcedProfiles, 'security' | 'authorization'>;
  readonly profile: string;
  readonly authorizerProfile: string;
  readonly authorizer: Authorizer | undefined;
  readonly policy: SecurityPolicy;
  readonly nodeKeys: NodeKeys;
  readonly keyStore: KeyStore;
  readonly inbound: SecurityStage;
  readonly deliver: SecurityStage;
  readonly outbound: SecurityStage;
  readonly authorizeAttach: AttachAuthorization;
  readonly encryption: NodeEncryption | undefined;
  readonly #keys: KeyExchange;
  readonly #signs: boolean;
  readonly #certificates: CertificateManager | undefined;
  #signer: EnvelopeSigner | undefined;

  constructor(options: NodeSecurityOptions) {
    const resolved = options.profile;
    const logger = (options.logger ?? NOOP_LOGGER).child({ component: 'security', profile: resolved.profile });
    this.name = `profile:${resolved.profile}`;
    this.enforces = enforcesOf(resolved);
    this.profile = resolved.profile;
    this.authorizerProfile = resolved.authorizerProfile;
    this.authorizer = forListeners(resolved.authorizer);
    this.policy = resolved.policy;
    this.#signs = resolved.requirements.signingRequired;
    const nodeKeys = (this.nodeKeys = options.keys ?? new NodeKeys(options.provider === undefined ? {} : { provider: options.provider }));
    const provider = options.provider ?? nodeKeys.provider;
    // The profile's own components (a plug-in's), in dependency order; defaults where it names none.
    const components = new ProfileComponents(resolved, {
      provider,
      env: options.env ?? processEnv(),
      nodeKeys,
      ...(options.components !== undefined && { registry: options.components }),
    });
    const validator = components.build('KeyValidator');
    const store = (this.keyStore = new KeyStore({
      provider,
      logger,
      ...(options.maxKeys !== undefined && { maxKeys: options.maxKeys }),
      ...(validator !== undefined && { validator }),
    }));
    components.keyStore = store;
    const verifier = components.build('EnvelopeVerifier') ?? new EnvelopeVerifier({ provider, keys: store });
    this.#certificates = components.build('CertificateManager');
    const chain = this.#certificates?.certificateChain();
    if (chain !== undefined) nodeKeys.setCertificateChain(chain);
    const channels = components.build('SecureChannelManager');
    this.#keys = new KeyExchange({
      provider,
      keys: nodeKeys,
      store,
      logger,
      ...(options.keyRequestTimeoutMs !== undefined && { requestTimeoutMs: options.keyRequestTimeoutMs }),
      ...(options.keyRequestAttempts !== undefined && { requestAttempts: options.keyRequestAttempts }),
    });
    const requirements = resolved.requirements;
    const encryption = (this.encryption =
      requirements.encryptionRequired || requirements.decryptionRequired
        ? new NodeEncryption({
            provider,
            policy: this.policy,
            keys: nodeKeys,
            store,
            logger,
            ...(channels !== undefined && { channels }),
            ...(options.channels !== undefined && { channelOptions: options.channels }),
          })
        : undefined);
    const checks = new EnvelopeChecks({
      provider,
      policy: this.policy,
      verifier,
      store,
      keys: this.#keys,
      verifyEveryHop: options.verifyEveryHop ?? false,
      logger,
      ...(encryption !== undefined && { decrypt: (envelope: FameEnvelope) => encryption.decrypt(envelope) }),
    });
    this.inbound = (envelope, context) => checks.inbound(envelope, context);
    this.deliver =
      encryption === undefined
        ? (envelope, context) => checks.deliver(envelope, context)
        : (envelope, context) => observeNacks(checks.deliver(envelope, context), encryption);
    this.outbound = (envelope, context) => this.#outbound(envelope, context);
    this.authorizeAttach = attachAuthorization({
      authorizer: resolved.authorizer,
      authorizerProfile: resolved.authorizerProfile,
      policy: this.policy,
      keys: this.#keys,
      logger,
    });
  }

  async start(host: SecurityHost): Promise<void> {
    const certificates = this.#certificates;
    if (certificates?.ensureCertificate !== undefined) {
      await certificates.ensureCertificate({ publicKey: this.nodeKeys.signingPublicKey });
      const chain = certificates.certificateChain();
      if (chain !== undefined) this.nodeKeys.setCertificateChain(chain);
    }
    this.#keys.start(host);
    this.encryption?.start(host);
  }

  stop(): void {
    this.encryption?.stop();
    this.#keys.stop();
  }

  /**
   * Secure* frames and by-address key requests (profiles that encrypt), KeyRequest and
   * KeyAnnounce meant for this node; anything else is routed on.
   */
  claim(envelope: FameEnvelope, context: EnvelopeContext): boolean {
    const encryption = this.encryption;
    const handled = encryption?.claim(envelope, context);
    if (handled !== undefined) return handled;
    switch (envelope.frame.type) {
      case 'KeyRequest':
        return this.#keys.handleKeyRequest(envelope as FameEnvelope<KeyRequestFrame>, context);
      case 'KeyAnnounce': {
        const frame = envelope.frame;
        const consumed = this.#keys.handleKeyAnnounce(envelope as FameEnvelope<KeyAnnounceFrame>, context);
        // Sealed sends waiting for a key of that node may go now.
        if (consumed && encryption !== undefined) for (const key of frame.keys) void encryption.manager.notifyKeyAvailable(String(key.kid));
        return consumed;
      }
      default:
        return false;
    }
  }

  attachFields(): { keys: Record<string, unknown>[] } {
    return { keys: this.#keys.shareableKeys() };
  }

  /** Child side: the parent must present keys our policy can use (W5: refused, not only logged); keep them. */
  checkAttachAck(ack: NodeAttachAckFrame, link: SecurityLink): void {
    const compatible = this.policy.validateAttachSecurityCompatibility({ peerKeys: ack.keys ?? [] });
    if (!compatible.ok) throw new FameError('ATTACH_REJECTED', `${compatible.reason} (security profile ${this.profile})`);
    this.#keys.recordParentKeys(ack.keys, link);
  }

  onLinkAttached(link: SecurityLink): void {
    this.#keys.onLinkAttached(link);
    this.encryption?.onLinkAttached(link);
  }

  onLinkClosed(link: SecurityLink): void {
    this.#keys.onLinkClosed(link);
    this.encryption?.onLinkClosed(link);
  }

  /** Sign, then (profiles that encrypt) encrypt what this node originates (§5.1: sign first). */
  #outbound(envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult> {
    const signed = this.#sign(envelope, context);
    const encryption = this.encryption;
    if (encryption === undefined || context.origin !== 'local') return signed;
    // A provider with asynchronous Ed25519 (WebCrypto) signs through a promise: encrypt once it settles.
    return signed instanceof Promise
      ? signed.then((result) => this.#encrypt(encryption, result, context))
      : this.#encrypt(encryption, signed, context);
  }

  #encrypt(encryption: NodeEncryption, signed: StageResult, context: EnvelopeContext): StageResult | Promise<StageResult> {
    if (signed instanceof EnvelopeRejection || signed.frame.type !== 'Data') return signed;
    return encryption.encrypt(signed, this.#policyContext(context), context.inReplyTo);
  }

  /** Sign what this node originates when the policy says so (§3.9); forwarded envelopes keep their signature. */
  #sign(envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult> {
    if (context.origin !== 'local' || !this.#signs || envelope.sec?.sig !== undefined) return envelope;
    const type = envelope.frame.type;
    if (UNSIGNED_OUTBOUND.has(type)) return envelope;
    if (!CRITICAL_FRAME_TYPES.has(type) && !this.policy.shouldSignEnvelope(envelope, this.#policyContext(context))) return envelope;
    return this.#signerFor(context.node).signPreferAsync(envelope);
  }

  #policyContext(context: EnvelopeContext): PolicyContext {
    const request = context.inReplyTo;
    if (!context.response) return LOCAL_REQUEST;
    if (request === undefined) return UNKNOWN_REQUEST;
    return {
      origin: 'local',
      messageType: 'response',
      inboundWasSigned: request.sec?.sig !== undefined,
      inboundCryptoLevel: this.policy.classifyMessageCryptoLevel(request),
    };
  }

  /** A signer for the node's current path (a new one after a re-attach moved it). */
  #signerFor(node: NodeIdentity): EnvelopeSigner {
    if (this.#signer?.physicalPath === node.physicalPath) return this.#signer;
    if (node.sid === undefined || node.physicalPath === '') {
      throw new FameError('SIGNATURE_REQUIRED', 'cannot sign before the node has a physical path (it is not attached yet)');
    }
    return (this.#signer = this.nodeKeys.envelopeSigner(node.physicalPath));
  }
}

const LOCAL_REQUEST: PolicyContext = Object.freeze({ origin: 'local' });
/** A response whose request we do not know: sign it if the policy signs any response to a signed request. */
const UNKNOWN_REQUEST: PolicyContext = Object.freeze({ origin: 'local', messageType: 'response', inboundWasSigned: true });

/** A verified DeliveryAck may NACK one of our SecureOpens: that handshake fails at once. */
function observeNacks(result: StageResult | Promise<StageResult>, encryption: NodeEncryption): StageResult | Promise<StageResult> {
  if (result instanceof Promise) return result.then((settled) => observeNacks(settled, encryption));
  if (!(result instanceof EnvelopeRejection) && result.frame.type === 'DeliveryAck') encryption.channel.handleDeliveryNack(result);
  return result;
}
