/**
 * The frame object a reference receiver digests (protocol-security §3.5, §8 C4): the
 * reference parses every frame with its schema, which drops members the schema does not
 * know and fills in defaulted ones (`ok: true` on acks, `alg`/`opts` on SecureOpen…). The
 * members and defaults come from `@naylence/core`'s TypeBox frame schemas, so there is one
 * list of them.
 */
import { FRAME_SCHEMAS, type FameFrame } from '@naylence/core';

interface SchemaNode {
  readonly type?: string;
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
}

const BY_TYPE = new Map<string, SchemaNode>(FRAME_SCHEMAS.map((schema) => [schema.properties.type.const, schema as SchemaNode]));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function project(schema: SchemaNode, value: unknown): unknown {
  if (value === undefined) return schema.default;
  if (schema.type === 'object' && schema.properties && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(schema.properties)) {
      const projected = project(member, value[key]);
      if (projected !== undefined) out[key] = projected;
    }
    return out;
  }
  if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    const items = schema.items;
    return value.map((item) => project(items, item));
  }
  return value;
}

/**
 * `frame` as its schema sees it: known members only, schema defaults filled in where a
 * member is absent, nested objects likewise. Free-form members (JWKs, payloads, metadata)
 * are kept whole. An unknown frame type is returned unchanged.
 */
export function materializeFrame(frame: FameFrame): Record<string, unknown> {
  const schema = BY_TYPE.get(frame.type);
  return (schema ? project(schema, frame) : frame) as Record<string, unknown>;
}
