import { physicalAddress, secureDigest, SYSTEM_INBOX, type NodeIdentity } from '@naylence/core';

/**
 * Who a node is: its system id, its physical path once attached (or `/{systemId}` for a root)
 * and the `sid` (secureDigest of the path) stamped on what it originates. Shared by every
 * component of the node and read live by security stages.
 */
export class Identity implements NodeIdentity {
  physicalPath = '';
  sid: string | undefined;

  constructor(readonly systemId: string) {}

  /** Adopt a physical path (attach, or root start) and recompute the sid. */
  async adopt(path: string): Promise<void> {
    this.sid = await secureDigest(path);
    this.physicalPath = path;
  }

  /** `__sys__@{physicalPath}`: where acks and control answers to us go. */
  get systemInbox(): string {
    return `${SYSTEM_INBOX}@${this.physicalPath}`;
  }

  /** `participant@{physicalPath}`. */
  physicalAddressOf(participant: string): string {
    return physicalAddress(participant, this.physicalPath);
  }
}
