import { Type, type Static } from '@sinclair/typebox';

// JSON-RPC 2.0 objects carried in `Data.payload` (protocol-core §6.5).

const Id = Type.Union([Type.String(), Type.Number(), Type.Null()], { description: 'Equals the envelope corrId' });

export const JsonRpcRequestSchema = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: Type.Optional(Id),
    method: Type.String(),
    params: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown())])),
  },
  { title: 'JsonRpcRequest' },
);

export const JsonRpcErrorObjectSchema = Type.Object(
  { code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.Unknown()) },
  { title: 'JsonRpcErrorObject' },
);

export const JsonRpcSuccessSchema = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: Id,
    result: Type.Optional(Type.Unknown({ description: 'null or absent ends a stream' })),
  },
  { title: 'JsonRpcSuccess' },
);

export const JsonRpcErrorResponseSchema = Type.Object(
  { jsonrpc: Type.Literal('2.0'), id: Id, error: JsonRpcErrorObjectSchema },
  { title: 'JsonRpcErrorResponse' },
);

export const JsonRpcResponseSchema = Type.Union([JsonRpcSuccessSchema, JsonRpcErrorResponseSchema], { title: 'JsonRpcResponse' });

export type JsonRpcId = Static<typeof Id>;
export type JsonRpcRequest = Static<typeof JsonRpcRequestSchema>;
export type JsonRpcErrorObject = Static<typeof JsonRpcErrorObjectSchema>;
export type JsonRpcSuccess = Static<typeof JsonRpcSuccessSchema>;
export type JsonRpcErrorResponse = Static<typeof JsonRpcErrorResponseSchema>;
export type JsonRpcResponse = Static<typeof JsonRpcResponseSchema>;

/** Standard JSON-RPC 2.0 error codes plus the ones the reference servers use. */
export const JsonRpcErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** Reference: a streaming handler failed (no terminator follows). */
  SERVER_ERROR: -32000,
} as const;
