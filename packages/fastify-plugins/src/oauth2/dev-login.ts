import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { constantTimeEqual } from '@naylence/security';
import { randomToken } from './secrets.js';

/** Developer login in front of the authorization endpoint. Never on unless configured. */
export interface DevLoginOptions {
  readonly username: string;
  readonly password: string;
  /** Default `naylence_dev_session`. */
  readonly cookieName?: string;
  /** Default 3600. */
  readonly sessionTtlSec?: number;
  /** Mark the cookie `Secure` (behind HTTPS). Default false. */
  readonly secureCookie?: boolean;
  /** Page title. Default `Developer Login`. */
  readonly title?: string;
}

const MAX_SESSIONS = 10_000;

const LoginForm = Type.Object({
  username: Type.Optional(Type.String({ maxLength: 256 })),
  password: Type.Optional(Type.String({ maxLength: 1024 })),
  return_to: Type.Optional(Type.String({ maxLength: 4096 })),
});
const ReturnTo = Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 4096 })) });

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A local path to go back to; anything else (absolute or `//host` URLs) becomes `fallback`. */
export function safeReturnTo(value: string | undefined, fallback: string): string {
  return value !== undefined && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : fallback;
}

/** Sessions of the developer login, and its routes under `basePath` (`/login`, `/logout`). */
export class DevLogin {
  readonly #options: DevLoginOptions;
  readonly #cookie: string;
  readonly #sessions = new Map<string, number>();

  constructor(options: DevLoginOptions) {
    this.#options = options;
    this.#cookie = options.cookieName ?? 'naylence_dev_session';
  }

  /** Whether the request carries a live session cookie. */
  hasSession(request: FastifyRequest): boolean {
    const id = this.#sessionId(request);
    const expiry = id === undefined ? undefined : this.#sessions.get(id);
    return expiry !== undefined && expiry > Date.now();
  }

  register(fastify: FastifyInstance, basePath: string): void {
    const page = (error?: string, returnTo = `${basePath}/authorize`): string => {
      const title = escapeHtml(this.#options.title ?? 'Developer Login');
      const message = error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>`;
      return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${message}
<form method="post" action="${escapeHtml(`${basePath}/login`)}"><input type="hidden" name="return_to" value="${escapeHtml(returnTo)}">
<label>Username <input name="username" autocomplete="username"></label><label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form></body></html>`;
    };
    const fallback = `${basePath}/authorize`;

    fastify.get('/login', { schema: { querystring: ReturnTo } }, (request, reply) => {
      const { return_to: returnTo } = request.query as Static<typeof ReturnTo>;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(page(undefined, safeReturnTo(returnTo, fallback)));
    });

    fastify.post('/login', { schema: { body: LoginForm } }, (request, reply) => {
      const { username = '', password = '', return_to: returnTo } = request.body as Static<typeof LoginForm>;
      const target = safeReturnTo(returnTo, fallback);
      // Both comparisons always run.
      const ok = [constantTimeEqual(username, this.#options.username), constantTimeEqual(password, this.#options.password)].every(Boolean);
      if (!ok) return reply.code(401).type('text/html; charset=utf-8').send(page('Invalid username or password', target));
      this.#sweep();
      if (this.#sessions.size >= MAX_SESSIONS)
        return reply.code(503).send({ error: 'server_error', error_description: 'Too many sessions' });
      const id = randomToken();
      const ttl = this.#options.sessionTtlSec ?? 3600;
      this.#sessions.set(id, Date.now() + ttl * 1000);
      return reply.header('set-cookie', this.#setCookie(id, ttl)).redirect(target, 302);
    });

    const logout = (request: FastifyRequest, reply: FastifyReply) => {
      const id = this.#sessionId(request);
      if (id !== undefined) this.#sessions.delete(id);
      const { return_to: returnTo } = (request.query ?? {}) as Static<typeof ReturnTo>;
      void reply.header('set-cookie', this.#setCookie('', 0));
      return returnTo === undefined ? reply.send({ status: 'logged_out' }) : reply.redirect(safeReturnTo(returnTo, '/'), 302);
    };
    fastify.get('/logout', { schema: { querystring: ReturnTo } }, logout);
    fastify.post('/logout', { schema: { querystring: ReturnTo } }, logout);
  }

  #setCookie(value: string, maxAgeSec: number): string {
    return `${this.#cookie}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSec}${this.#options.secureCookie ? '; Secure' : ''}`;
  }

  #sessionId(request: FastifyRequest): string | undefined {
    for (const part of (request.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.#cookie) return part.slice(eq + 1).trim() || undefined;
    }
    return undefined;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, expiry] of this.#sessions) if (expiry <= now) this.#sessions.delete(id);
  }
}
