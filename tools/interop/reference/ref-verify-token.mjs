// Checks tokens with the reference's own verifier and authorizer, built by the reference's
// factories: a JWKSJWTTokenVerifier {jwks_url, issuer, algorithms}, and an authorizer: with
// --profile=P the authorization profile P (it reads FAME_JWT_TRUSTED_ISSUER, FAME_JWT_AUDIENCE,
// FAME_JWT_ALGORITHM from the environment, as a gated sentinel does; note that the oauth2 profiles
// fetch keys from <issuer>/.well-known/jwks.json and ignore FAME_JWKS_URL), else an
// OAuth2Authorizer configured like the oauth2-gated profile but with an explicit jwks_url.
// Usage: node ref-verify-token.mjs --jwks-url=U --issuer=I --audience=A [--algorithms=EdDSA,RS256]
//          [--profile=P] [--enforce-subject] [--system-id=ID] TOKEN...   (tokens as positional arguments)
// Prints one {"test":"jwks_verifier"|"authorizer"|"attach", "index":i, "ok":bool, ...} line per check.
import { rt, emit, parseArgs, describeError } from './_common.mjs';

const args = parseArgs();
// The reference's contexts carry helper objects with cycles: keep the data members.
const plain = (ctx) =>
  ctx
    ? {
        authenticated: ctx.authenticated,
        authorized: ctx.authorized,
        principal: ctx.principal,
        grantedScopes: ctx.grantedScopes,
        claims: ctx.claims,
      }
    : null;
const tokens = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const algorithms = String(args.algorithms ?? 'EdDSA').split(',');

const verifier = await rt.TokenVerifierFactory.createTokenVerifier({
  type: 'JWKSJWTTokenVerifier',
  jwks_url: args['jwks-url'],
  issuer: args.issuer,
  algorithms,
});
let authorizer;
try {
  authorizer = await rt.AuthorizerFactory.createAuthorizer(
    args.profile
      ? { type: 'AuthorizationProfile', profile: args.profile }
      : {
          type: 'OAuth2Authorizer',
          issuer: args.issuer,
          jwks_url: args['jwks-url'],
          audience: args.audience,
          algorithm: algorithms[0],
          required_scopes: ['node.connect'],
          require_scope: true,
          enforce_token_subject_node_identity: Boolean(args['enforce-subject']),
          trusted_client_scope: 'node.trusted',
        },
  );
} catch (e) {
  emit({ test: 'authorizer_build', ok: false, error: describeError(e) });
}

for (const [index, token] of tokens.entries()) {
  try {
    const ctx = await verifier.verify(token, args.audience ? { expectedAudience: args.audience } : undefined);
    emit({ test: 'jwks_verifier', index, ok: true, context: plain(ctx) });
  } catch (e) {
    emit({ test: 'jwks_verifier', index, ok: false, error: describeError(e) });
  }
  if (!authorizer) continue;
  let ctx;
  try {
    ctx = await authorizer.authenticate(`Bearer ${token}`);
    emit({ test: 'authorizer', index, ok: ctx !== undefined && ctx !== null, context: plain(ctx) });
  } catch (e) {
    emit({ test: 'authorizer', index, ok: false, error: describeError(e) });
  }
  if (ctx && args['system-id'] && typeof authorizer.validateNodeAttachRequest === 'function') {
    try {
      const frame = { type: 'NodeAttach', systemId: args['system-id'], instanceId: 'ref-verify', originType: 'downstream' };
      const node = { id: 'ref-verify-sentinel', physicalPath: '/ref-verify-sentinel' };
      const result = await authorizer.validateNodeAttachRequest(node, frame, ctx);
      emit({ test: 'attach', index, ok: result !== undefined && result !== null });
    } catch (e) {
      emit({ test: 'attach', index, ok: false, error: describeError(e) });
    }
  }
}
emit({ event: 'done' });
process.stdout.write('READY\n');
