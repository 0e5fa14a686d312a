#!/usr/bin/env bash
# Runs every check and every test of the repository: `npm test`.
#
# On a fresh Debian machine it first installs what the tests need from apt (Chromium with a
# CJK font for the end-to-end tests, PostgreSQL for the server suite), then starts a
# throwaway PostgreSQL server of its own, runs lint, format check, type checks, both builds,
# the size budget and all jest projects, stops PostgreSQL again and exits non-zero if any
# step failed. Every step runs even when an earlier one failed, so one run shows everything;
# jest's summary line is the last thing jest prints.
#
# Environment:
#   TEST_DATABASE_URL   use this PostgreSQL server instead of starting one
#   SKIP_INSTALL=1      never call apt-get (fail instead when something is missing)
#   SKIP_BUILD=1        reuse dist/ and dist-h5/ from an earlier run (quick local re-runs)
#   JEST_ARGS           extra arguments for jest, e.g. JEST_ARGS="--selectProjects e2e"
#   STEP_TIMEOUT        longest time one step may take (25m), in timeout(1) syntax
set -uo pipefail

# The whole script is one block, so bash reads it completely before running it: editing or
# pulling this file during a run does not change the running copy.
{

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

# The e2e harness serves the H5 build and the API from one origin and replaces these
# placeholder base URLs in the served JavaScript with its own origin and the WeChat simulator's
# (test/e2e/harness.ts: E2E_API_PLACEHOLDER, E2E_WECHAT_SIM_PLACEHOLDER).
E2E_API_PLACEHOLDER='http://e2e-api.invalid'
E2E_WECHAT_SIM_PLACEHOLDER='http://e2e-wechat-sim.invalid'

if [ -t 1 ]; then BOLD=$'\033[1m' RED=$'\033[31m' GREEN=$'\033[32m' RESET=$'\033[0m'; else BOLD='' RED='' GREEN='' RESET=''; fi
section() { printf '\n%s==== %s ====%s\n' "$BOLD" "$*" "$RESET"; }
die() {
  printf '%sERROR: %s%s\n' "$RED" "$*" "$RESET" >&2
  exit 1
}

# One run at a time per working tree: two runs would write dist/ and dist-h5/ at once.
if command -v flock >/dev/null 2>&1; then
  mkdir -p node_modules/.cache
  exec 9>node_modules/.cache/beichen-test.lock
  if ! flock -n 9; then
    echo "Another npm test is running in this working tree; waiting for it to finish …"
    flock -w 1800 9 || die "gave up waiting for the other npm test"
  fi
fi

STEP_TIMEOUT=${STEP_TIMEOUT:-25m}
START_TIME=$(date +%s)
FAILED=()
TIMINGS=()

# step NAME COMMAND... : runs one step, records failure and duration, never exits.
step() {
  local name=$1
  shift
  section "$name"
  local t0 rc note=''
  t0=$(date +%s)
  if declare -F "$1" >/dev/null; then
    "$@"
  else
    # A hung step (a jest run that never exits, a stuck build) must not eat CI's whole time.
    # --foreground keeps the command in this process group, so Ctrl-C still reaches it.
    timeout --foreground -k 30s "$STEP_TIMEOUT" "$@"
  fi
  rc=$?
  [ $rc -eq 124 ] && note=", timed out after $STEP_TIMEOUT"
  local took=$(($(date +%s) - t0))
  if [ $rc -eq 0 ]; then
    printf '%sok%s: %s (%ss)\n' "$GREEN" "$RESET" "$name" "$took"
    TIMINGS+=("ok      ${took}s  $name")
  else
    printf '%sFAILED%s: %s (exit %s%s, %ss)\n' "$RED" "$RESET" "$name" "$rc" "$note" "$took"
    FAILED+=("$name")
    TIMINGS+=("FAILED  ${took}s  $name")
  fi
  return 0
}

skip() {
  section "$1"
  echo "skipped: $2"
  TIMINGS+=("skipped     $1 ($2)")
}

# ---------------------------------------------------------------------------
# 1. System packages (apt)
# ---------------------------------------------------------------------------
section "System packages"

APT_UPDATED=0
apt_install() {
  if [ "${SKIP_INSTALL:-}" = 1 ]; then
    die "missing system packages: $* (SKIP_INSTALL=1 is set, so they were not installed)"
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    die "missing system packages: $*. This script installs them with apt-get (Debian/Ubuntu), which this machine lacks.
Install by hand: Chromium at /usr/bin/chromium (or a symlink to it), a CJK font (WenQuanYi Micro Hei or Noto CJK),
and PostgreSQL >= 13 (initdb and pg_ctl), or point TEST_DATABASE_URL at a PostgreSQL server you run; then run npm test again."
  fi
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing system packages: $*; run as root or install them: apt-get install -y $*"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ $APT_UPDATED = 0 ]; then
    echo "+ apt-get update"
    "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  echo "+ apt-get install -y $*"
  "${sudo[@]}" apt-get install -y -qq "$@" >/tmp/beichen-apt.log 2>&1 ||
    { tail -n 30 /tmp/beichen-apt.log; die "apt-get install $* failed (log: /tmp/beichen-apt.log)"; }
}

# Without a CJK font Chinese text renders as boxes in the e2e screenshots.
CJK_FONT_OK=0
for font in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc; do
  [ -f "$font" ] && CJK_FONT_OK=1
done
if command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then CJK_FONT_OK=1; fi
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium fonts-wqy-microhei
elif [ $CJK_FONT_OK = 0 ]; then
  apt_install fonts-wqy-microhei
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | tail -n 1)"

find_pg_bin() {
  local initdb
  initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] && dirname "$initdb"
}
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  PG_BIN=$(find_pg_bin)
  if [ -z "$PG_BIN" ]; then
    apt_install postgresql
    PG_BIN=$(find_pg_bin) || die "PostgreSQL was installed but no /usr/lib/postgresql/*/bin/initdb was found"
  fi
  echo "postgresql: $("$PG_BIN/postgres" --version)"
fi

# ---------------------------------------------------------------------------
# 2. A throwaway PostgreSQL server, always stopped on exit
# ---------------------------------------------------------------------------
PG_TMP=''
PG_BIN=${PG_BIN:-}
cleanup() {
  if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
    if [ -f "$PG_TMP/data/postmaster.pid" ]; then
      echo "Stopping the test PostgreSQL server ($PG_TMP)"
      as_postgres "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# PostgreSQL refuses to run as root: as root, run its binaries as the postgres user.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start_postgres() {
  PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/beichen-pg.XXXXXX") || return 1
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || {
      echo "no postgres user (it comes with the postgresql package)"
      return 1
    }
    chown postgres: "$PG_TMP"
  fi
  chmod 700 "$PG_TMP"
  local port
  port=$(free_port) || return 1
  as_postgres "$PG_BIN/initdb" -D "$PG_TMP/data" -A trust -U postgres -E UTF8 --no-locale --no-sync \
    >"$PG_TMP/initdb.log" 2>&1 || {
    cat "$PG_TMP/initdb.log"
    return 1
  }
  # Durability settings off: the data lives for one test run.
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
    -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || {
    cat "$PG_TMP/server.log"
    return 1
  }
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL listening on 127.0.0.1:$port, data in $PG_TMP/data"
  echo "TEST_DATABASE_URL=$TEST_DATABASE_URL"
}

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  section "PostgreSQL"
  echo "using TEST_DATABASE_URL from the environment"
else
  step "PostgreSQL (throwaway server)" start_postgres
fi

# ---------------------------------------------------------------------------
# 3. Static checks
# ---------------------------------------------------------------------------
step "ESLint" npx eslint .
step "Prettier (format check)" npx prettier --check .

# One TypeScript project per part; a part whose tsconfig is not written yet is skipped.
for project in tsconfig.json server/tsconfig.json simulator/tsconfig.json console/tsconfig.json; do
  case $project in
    tsconfig.json) what='app' ;;
    server/*) what='server, scripts, benches, e2e and weapp tests' ;;
    console/*) what='operator console' ;;
    *) what=${project%%/*} ;;
  esac
  if [ -f "$project" ]; then
    step "Typecheck: $what ($project)" npx tsc -p "$project" --noEmit
  else
    skip "Typecheck: $what" "$project does not exist yet"
  fi
done

# ---------------------------------------------------------------------------
# 4. Builds and the size budget
# ---------------------------------------------------------------------------
if [ "${SKIP_BUILD:-}" = 1 ]; then
  skip "Build: weapp" "SKIP_BUILD=1"
  skip "Build: H5 (for e2e)" "SKIP_BUILD=1"
  skip "Build: operator console" "SKIP_BUILD=1"
else
  step "Build: weapp (taro build --type weapp)" npx taro build --type weapp
  if [ -f bench/size.ts ]; then
    step "Size budget (bench/size.ts)" npx tsx bench/size.ts
  else
    skip "Size budget" "bench/size.ts does not exist yet"
  fi
  # The e2e harness swaps the placeholder for its own origin while serving the files.
  step "Build: H5 for e2e (taro build --type h5)" env TARO_APP_API_BASE="$E2E_API_PLACEHOLDER" TARO_APP_WECHAT_SIM_BASE="$E2E_WECHAT_SIM_PLACEHOLDER" npx taro build --type h5
  # The API serves console/dist under /admin/; the console's e2e test signs in through it.
  step "Build: operator console (vite build)" npx vite build --config console/vite.config.ts
  if [ -f bench/console-size.ts ]; then
    step "Size budget: console first load (bench/console-size.ts)" npx tsx bench/console-size.ts
  fi
fi

# ---------------------------------------------------------------------------
# 5. Tests: every jest project (unit, server, app, e2e, weapp)
# ---------------------------------------------------------------------------
# Two workers: jest's default on a 2-core machine is one.
# shellcheck disable=SC2086
step "Jest (all projects)" npx jest --maxWorkers=2 ${JEST_ARGS:-}

# ---------------------------------------------------------------------------
section "Summary ($(($(date +%s) - START_TIME))s in all)"
printf '  %s\n' "${TIMINGS[@]}"
if [ ${#FAILED[@]} -gt 0 ]; then
  printf '%snpm test failed in %s step(s):%s\n' "$RED" "${#FAILED[@]}" "$RESET"
  printf '  - %s\n' "${FAILED[@]}"
  exit 1
fi
printf '%snpm test passed%s\n' "$GREEN" "$RESET"
exit 0
}
