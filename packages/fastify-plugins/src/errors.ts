import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, FameError, isFameError, type ErrorCode } from '@naylence/core';

/** RFC 6749 error codes our OAuth2 routes answer with (plus `endpoint_disabled`, as the reference). */
export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'access_denied'
  | 'endpoint_disabled'
  | 'server_error';

/** Each OAuth2 error is one of the project's error codes; its HTTP status comes from `ERROR_CODES`. */
const FAME_CODE: Readonly<Record<OAuth2ErrorCode, ErrorCode>> = {
  invalid_request: 'INVALID_REQUEST',
  invalid_grant: 'INVALID_REQUEST',
  invalid_scope: 'INVALID_REQUEST',
  unsupported_grant_type: 'INVALID_REQUEST',
  unsupported_response_type: 'INVALID_REQUEST',
  invalid_client: 'AUTHENTICATION_FAILED',
  access_denied: 'AUTHORIZATION_FAILED',
  endpoint_disabled: 'NOT_FOUND',
  server_error: 'INTERNAL_ERROR',
};

/** An OAuth2 protocol error: answered as `{"error", "error_description"}` with the mapped status. */
export class OAuth2Error extends FameError {
  override name = 'OAuth2Error';
  readonly oauthError: OAuth2ErrorCode;
  constructor(oauthError: OAuth2ErrorCode, description: string) {
    super(FAME_CODE[oauthError], description);
    this.oauthError = oauthError;
  }
}

/** The HTTP status of a FameError code (500 when the table has none). */
export function httpStatusOf(code: ErrorCode): number {
  return (ERROR_CODES[code] as { httpStatus?: number }).httpStatus ?? 500;
}

/**
 * The error handler of every plugin here: OAuth2 errors as RFC 6749 bodies (401s with
 * `WWW-Authenticate: Basic`), schema validation failures as `invalid_request`, other
 * FameErrors through the error table, anything else as a logged 500 without internals.
 */
export function installErrorHandler(fastify: FastifyInstance): void {
  fastify.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof OAuth2Error) {
      const status = httpStatusOf(error.code);
      if (status === 401) void reply.header('www-authenticate', 'Basic');
      return reply.code(status).send({ error: error.oauthError, error_description: error.message });
    }
    if (error.validation !== undefined) {
      return reply.code(400).send({ error: 'invalid_request', error_description: error.message });
    }
    if (isFameError(error)) {
      const status = httpStatusOf(error.code);
      if (status < 500) return reply.code(status).send({ error: error.code.toLowerCase(), error_description: error.message });
    }
    if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'invalid_request', error_description: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'server_error', error_description: 'Internal server error' });
  });
}

/** Parses `application/x-www-form-urlencoded` bodies (unless a parser is already installed). */
export function installFormParser(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser('application/x-www-form-urlencoded')) return;
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}
