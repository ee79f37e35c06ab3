import { AbortedError, type NodeWelcomeFrame } from '@naylence/core';
import { NO_AUTH } from '@naylence/security';
import type { AdmissionClient, HelloRequest } from './admission-client.js';
import { welcomeFromFrame } from './welcome.js';

export interface NoopAdmissionOptions {
  /** The id when the hello names none. Default `noop-system`. */
  readonly systemId?: string;
  /** Accept the requested logicals (default true); false accepts none. */
  readonly autoAcceptLogicals?: boolean;
}

/**
 * Noop admission (admission-and-http §2.3, profiles `noop`/`none`): for roots, which have no
 * parent. The welcome accepts the requested logicals and has no grants and no expiry.
 */
export function noopAdmissionClient(options: NoopAdmissionOptions = {}): AdmissionClient {
  const fallbackId = options.systemId ?? 'noop-system';
  const autoAccept = options.autoAcceptLogicals ?? true;
  return {
    kind: 'noop',
    hasUpstream: false,
    hello(request: HelloRequest) {
      if (request.signal?.aborted) return Promise.reject(new AbortedError('noop admission', { cause: request.signal.reason }));
      const frame: NodeWelcomeFrame = {
        type: 'NodeWelcome',
        systemId: request.systemId.trim() === '' ? fallbackId : request.systemId,
        instanceId: request.instanceId,
        acceptedLogicals: autoAccept ? [...(request.logicals ?? [])] : [],
        connectionGrants: [],
      };
      return Promise.resolve({ welcome: welcomeFromFrame(frame), authOf: () => NO_AUTH });
    },
  };
}
