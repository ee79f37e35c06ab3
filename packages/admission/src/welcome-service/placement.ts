import { ConfigError, type AuthorizationContext, type NodeHelloFrame } from '@naylence/core';

/** Where a welcome service puts a node (admission-and-http §8.5). */
export type PlacementDecision =
  | {
      readonly accept: true;
      /** The node's physical path, e.g. `/sentinel-a/agent-b`. */
      readonly assignedPath: string;
      /** The parent; absent = the node is placed as a root (it gets no grants). */
      readonly targetSystemId?: string;
      readonly targetPhysicalPath?: string;
      /** Overrides of what the hello asked for. */
      readonly acceptedLogicals?: readonly string[];
      readonly acceptedCapabilities?: readonly string[];
    }
  | { readonly accept: false; readonly reason: string };

/** What a placement strategy knows about a hello besides the frame. */
export interface HelloContext {
  /** What the welcome service's authorizer learned about the caller (absent without one). */
  readonly authorization?: AuthorizationContext;
}

/** Decides where a node goes (`NodePlacementStrategy`): a static parent, a least-loaded one, a region… */
export interface NodePlacementStrategy {
  place(hello: NodeHelloFrame, context: HelloContext): PlacementDecision | Promise<PlacementDecision>;
}

export interface StaticPlacementOptions {
  readonly targetSystemId: string;
  readonly targetPhysicalPath: string;
}

/**
 * Every node under one parent (`StaticNodePlacementStrategy`): `assignedPath` =
 * `<target path>/<systemId>`; a hello from the target itself is placed as the root
 * `/<systemId>`, with no target (and so no attach grant).
 * @throws ConfigError when the target id or path is missing or the path is not absolute
 */
export function staticPlacement(options: StaticPlacementOptions): NodePlacementStrategy {
  const { targetSystemId, targetPhysicalPath } = options;
  if (typeof targetSystemId !== 'string' || targetSystemId === '') throw new ConfigError('static placement: targetSystemId is required');
  if (typeof targetPhysicalPath !== 'string' || !targetPhysicalPath.startsWith('/'))
    throw new ConfigError('static placement: targetPhysicalPath must be an absolute path such as /sentinel-a');
  const parentPath = joinPath(targetPhysicalPath);
  return {
    place(hello) {
      if (hello.systemId === targetSystemId) return { accept: true, assignedPath: joinPath(`/${hello.systemId}`) };
      return { accept: true, assignedPath: joinPath(parentPath, hello.systemId), targetSystemId, targetPhysicalPath };
    },
  };
}

/** `/a/b` from segments, without empty segments. */
function joinPath(...parts: string[]): string {
  return `/${parts
    .flatMap((p) => p.split('/'))
    .filter((s) => s !== '')
    .join('/')}`;
}
