#!/usr/bin/env bash
# Run an official Naylence security example with OUR sentinel and token server in place of theirs.
#
#   tools/interop/run-official-example.sh <checkout of naylence-examples-ts> overlay|gated [--token-server ours|theirs]
#
# What it does, step by step (nothing is written to the checkout or to this repository):
#  1. Copies <checkout>/examples/security/<name> and <checkout>/scripts to a temporary directory.
#  2. Installs the example's own npm dependencies there (`npm ci`). The example's lock file pins
#     @naylence/* 0.3.x releases that are no longer on the npm registry; when `npm ci` fails, the
#     copy's package.json is pointed at the agent SDK release the registry has
#     (NAYLENCE_AGENT_SDK, default `latest`) and `npm install` runs instead. The script says which.
#  3. Builds it as its `npm run build` does (tsc, then .js → .mjs and the imports fixed; the
#     example's own script uses BSD `sed -i ''`, which GNU sed rejects).
#  4. Generates its secrets and .env files with its own scripts/generate-secrets.mjs.
#  5. Starts the token server: OUR `naylence oauth2-server` (default), or with `--token-server
#     theirs` the reference's oauth2-server-cli.js from the example's node_modules (port
#     THEIR_TOKEN_PORT, default 18099: it cannot report an ephemeral port), with config/.env.oauth2-server.
#  6. Starts OUR `naylence sentinel` with config/.env.sentinel.
#  7. Starts the example's math-agent.mjs with config/.env.agent, then runs its client.mjs with
#     config/.env.client, and checks the client's output (7, 42, the first ten Fibonacci numbers).
#
# Every variable comes from the example's own .env files. Only what docker-compose and Caddy
# provide changes: processes run on 127.0.0.1 without TLS, so FAME_DIRECT_ADMISSION_URL and
# FAME_ADMISSION_TOKEN_URL point at the ports our processes report, NODE_EXTRA_CA_CERTS /
# SSL_CERT_FILE (Caddy's CA) are dropped, and the sentinel gets FAME_JWKS_URL (the token
# server's keys; the issuer name `https://oauth2-server` is kept as is, on both sides).
#
# Needs: node 20, npm with registry access, and this repository built (`pnpm build`). Logs of
# every process stay in the temporary directory (printed at the end); KEEP=1 keeps it.
set -euo pipefail

usage() { echo "usage: $0 <naylence-examples-ts checkout> overlay|gated [--token-server ours|theirs]" >&2; exit 2; }
[ $# -ge 2 ] || usage
CHECKOUT=$(cd "$1" && pwd)
NAME=$2
TOKEN_SERVER=ours
if [ "${3:-}" = "--token-server" ]; then TOKEN_SERVER=${4:-}; fi
case "$NAME" in overlay | gated) ;; *) usage ;; esac
case "$TOKEN_SERVER" in ours | theirs) ;; *) usage ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
NAYLENCE="$HERE/../../packages/cli/dist/bin.js"
[ -f "$NAYLENCE" ] || { echo "$NAYLENCE is missing: run pnpm build first" >&2; exit 2; }
[ -d "$CHECKOUT/examples/security/$NAME" ] || { echo "no examples/security/$NAME in $CHECKOUT" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/naylence-example-$NAME.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = "1" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
step() { echo "== $*"; }

step "copy examples/security/$NAME to $WORK"
mkdir -p "$WORK/examples/security"
cp -R "$CHECKOUT/examples/security/$NAME" "$WORK/examples/security/$NAME"
cp -R "$CHECKOUT/scripts" "$WORK/scripts"
EX="$WORK/examples/security/$NAME"
rm -rf "$EX/node_modules" "$EX/dist" "$EX/browser"
cd "$EX"

step "install the example's npm dependencies"
if npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1; then
  echo "npm ci: installed the locked versions"
else
  echo "npm ci failed (the lock's @naylence/* versions are not on the registry); using @naylence/agent-sdk@${NAYLENCE_AGENT_SDK:-latest}"
  npm pkg set "dependencies.@naylence/agent-sdk=${NAYLENCE_AGENT_SDK:-latest}"
  rm -f package-lock.json
  npm install --no-audit --no-fund >>"$WORK/npm.log" 2>&1
fi
version() { node -p "JSON.parse(require('fs').readFileSync('node_modules/$1/package.json', 'utf8')).version"; }
echo "installed: @naylence/agent-sdk $(version @naylence/agent-sdk), @naylence/runtime $(version @naylence/runtime)"

step "build (tsc, .js -> .mjs)"
npx tsc
find dist -name '*.js' -exec sh -c 'mv "$1" "${1%.js}.mjs"' _ {} \;
find dist -name '*.mjs' -exec sed -i 's/\.js/\.mjs/g' {} \;

step "generate secrets with the example's own script"
node ../../../scripts/generate-secrets.mjs >"$WORK/secrets.log"

# Runs (execs) a command with one of the example's .env files, adjusted for 127.0.0.1 (see the
# header). Always called in a subshell (`&` or `$(…)`), which the command then replaces, so the
# pid a background start records is the process itself.
with_env() {
  local file=$1
  shift
  {
    set -a
    # shellcheck disable=SC1090
    . "$EX/config/$file"
    set +a
    unset NODE_EXTRA_CA_CERTS SSL_CERT_FILE
    # Only the URLs the file sets are rewritten.
    if [ -n "${FAME_DIRECT_ADMISSION_URL:-}" ]; then export FAME_DIRECT_ADMISSION_URL="$SENTINEL_URL"; fi
    if [ -n "${FAME_ADMISSION_TOKEN_URL:-}" ]; then export FAME_ADMISSION_TOKEN_URL="$TOKEN_BASE/oauth/token"; fi
    exec "$@"
  }
}

# Starts a process in the background (its pid is stopped on exit); logs go to $WORK/<log>.out/.err.
start_bg() {
  local log=$1
  shift
  "$@" >"$WORK/$log.out" 2>"$WORK/$log.err" &
  PIDS+=($!)
}

# The URL a process printed as `READY <url>` on stdout (waits up to 10 s).
ready_url() {
  for _ in $(seq 1 100); do
    if grep -q '^READY ' "$WORK/$1.out" 2>/dev/null; then
      grep '^READY ' "$WORK/$1.out" | head -1 | cut -d' ' -f2
      return 0
    fi
    sleep 0.1
  done
  echo "$1 did not get ready; its stderr:" >&2
  tail -20 "$WORK/$1.err" >&2
  exit 1
}

SENTINEL_URL=
TOKEN_BASE=
if [ "$TOKEN_SERVER" = "ours" ]; then
  step "start OUR token server: naylence oauth2-server (config/.env.oauth2-server)"
  start_bg token-server with_env .env.oauth2-server node "$NAYLENCE" oauth2-server --port 0
  TOKEN_BASE=$(ready_url token-server)
else
  step "start THEIR token server: @naylence/runtime oauth2-server-cli.js (config/.env.oauth2-server)"
  PORT=${THEIR_TOKEN_PORT:-18099}
  start_bg token-server with_env .env.oauth2-server env APP_HOST=127.0.0.1 APP_PORT="$PORT" \
    node node_modules/@naylence/runtime/dist/esm/naylence/fame/http/oauth2-server-cli.js
  TOKEN_BASE="http://127.0.0.1:$PORT"
  for _ in $(seq 1 100); do curl -sf "$TOKEN_BASE/.well-known/jwks.json" >/dev/null && break; sleep 0.1; done
fi
echo "token server: $TOKEN_BASE"

step "start OUR sentinel: naylence sentinel (config/.env.sentinel)"
start_bg sentinel with_env .env.sentinel env FAME_JWKS_URL="$TOKEN_BASE/.well-known/jwks.json" node "$NAYLENCE" sentinel --port 0
SENTINEL_URL=$(ready_url sentinel)
echo "sentinel: $SENTINEL_URL"
sed -n 's/^  \(security\|auth\) */  \1: /p' "$WORK/sentinel.out"

step "start the example's math-agent.mjs (config/.env.agent)"
cd dist
start_bg agent with_env .env.agent node math-agent.mjs
# The agent prints nothing when it is ready: wait until the sentinel logged its attach.
for _ in $(seq 1 150); do grep -q '"msg":"attached"' "$WORK/sentinel.err" && break; sleep 0.1; done
grep -q '"msg":"attached"' "$WORK/sentinel.err" || { echo "the agent did not attach; its stderr:" >&2; tail -20 "$WORK/agent.err" >&2; exit 1; }

step "run the example's client.mjs (config/.env.client)"
OUTPUT=$(with_env .env.client timeout 60 node client.mjs 2>"$WORK/client.err") || {
  echo "the client failed; its stderr:" >&2
  tail -20 "$WORK/client.err" >&2
  exit 1
}
echo "$OUTPUT" | sed 's/^/  client: /'
EXPECTED=$'7\n42\n0 1 1 2 3 5 8 13 21 34'
if [ "$OUTPUT" = "$EXPECTED" ]; then
  echo "PASS: security/$NAME ran with our sentinel and $([ "$TOKEN_SERVER" = ours ] && echo our || echo their) token server"
else
  echo "FAIL: expected:"; echo "$EXPECTED"
  exit 1
fi
echo "sentinel warnings or errors: $(grep -c '"level":[45]0' "$WORK/sentinel.err" || true); logs in $WORK (KEEP=1 to keep them)"
