#!/usr/bin/env bash
# PostgreSQL throughput through dbward next to the same server reached directly,
# through PgBouncer (the pooler dbward replaces) and through HAProxy in TCP mode
# (the cost of one extra hop with no protocol work). All four are measured in one
# run on the same throwaway server, so the ratios are comparable even when the
# absolute numbers depend on the machine.
#
# Usage: bench/pg_bench.sh
# Environment:
#   BENCH_SECONDS   seconds per pgbench run (default 10)
#   BENCH_QUICK=1   3 s runs and a 1 s warm-up, for a smoke test
#   BENCH_ROUNDS    runs per cell, median reported (default 1); the order of the
#                   targets rotates from round to round
#   BENCH_CLIENTS   pgbench clients (default 16), BENCH_THREADS pgbench threads (default 2)
#   BENCH_WRITE=0   skip the TPC-B-like write workload
#   BENCH_TARGETS   subset of "direct dbward policy audit pgbouncer haproxy" ("policy"
#                   is dbward with the README's example policy judging every statement,
#                   "audit" dbward writing an audit record for every statement)
#   BENCH_SCALE     pgbench scale factor (default 10)
#   BENCH_KEEP=1    keep the temporary directory (server and proxy logs)
#   DBWARD_BIN      dbward binary (default build/dbward in the repository)
#   PG_BIN          PostgreSQL 15 binaries (default /usr/lib/postgresql/15/bin)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
bench_common_settings
CLIENTS=${BENCH_CLIENTS:-16}
THREADS=${BENCH_THREADS:-2}
SCALE=${BENCH_SCALE:-10}
WITH_WRITE=${BENCH_WRITE:-1}
read -r -a TARGETS <<<"${BENCH_TARGETS:-direct dbward policy audit pgbouncer haproxy}"
RESULTS_DIR=$HERE/results

for tool in pgbench psql pgbouncer haproxy; do
    command -v "$tool" >/dev/null || bench_die "$tool not found"
done
[[ -x $PG_BIN/initdb ]] || bench_die "no PostgreSQL binaries in $PG_BIN"

# Only the settings named here reach the clients; a stray PGHOST or PGSSLMODE
# in the caller's environment must not change what is measured.
unset PGHOST PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS PGPASSFILE PGSSLMODE PGSSLCERT PGSSLKEY
export PGSSLMODE=disable PGCONNECT_TIMEOUT=10

# PostgreSQL refuses to run as root, and so does PgBouncer.
if [[ $(id -u) == 0 ]]; then
    RUN_USER=postgres
    as_pg() { runuser -u postgres -- "$@"; }
else
    RUN_USER=$(id -un)
    as_pg() { "$@"; }
fi

bench_start_run pgbench
chmod 700 "$WORK"
[[ $(id -u) == 0 ]] && chown "$RUN_USER:" "$WORK"
export PGPASSWORD=$BENCH_PASSWORD

# ---- PostgreSQL ----------------------------------------------------------

PG_PORT=$(bench_free_port) || bench_die "no free port"
PGDATA=$WORK/pgdata
bench_log "PostgreSQL 15 on 127.0.0.1:$PG_PORT ($WORK)"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >"$WORK/initdb.log" 2>&1 ||
    { cat "$WORK/initdb.log" >&2; bench_die "initdb failed"; }
# fsync and synchronous_commit off: the proxies are measured, not the disk.
cat >>"$PGDATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$WORK'
max_connections = 200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
bench_on_exit "as_pg '$PG_BIN/pg_ctl' -D '$PGDATA' -m immediate stop"
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w -t 60 start >/dev/null ||
    { tail -20 "$WORK/postgres.log" >&2; bench_die "PostgreSQL did not start"; }

# Superuser statements go over the Unix socket (trust), never through a proxy.
# Usage: pg_admin DATABASE STATEMENT... (each statement its own transaction).
pg_admin() {
    local db=$1 sql args=()
    shift
    for sql in "$@"; do args+=(-c "$sql"); done
    psql -X -q -v ON_ERROR_STOP=1 -h "$WORK" -p "$PG_PORT" -U postgres -d "$db" "${args[@]}"
}
pg_admin postgres "CREATE ROLE bench LOGIN PASSWORD '$BENCH_PASSWORD'" || bench_die "CREATE ROLE failed"
pg_admin postgres "CREATE DATABASE bench OWNER bench" || bench_die "CREATE DATABASE failed"
bench_log "pgbench -i -s $SCALE"
pgbench -i -q -s "$SCALE" -h 127.0.0.1 -p "$PG_PORT" -U bench bench >"$WORK/pgbench-init.log" 2>&1 ||
    { tail -20 "$WORK/pgbench-init.log" >&2; bench_die "pgbench -i failed"; }

# ---- PgBouncer -----------------------------------------------------------

PGB_VERSION=$(pgbouncer --version | awk 'NR == 1 { print $2 }')
# max_prepared_statements (protocol-level prepared statements in transaction
# pooling) exists from 1.21 on; older versions run -M prepared in session pooling.
if [[ $(printf '%s\n1.21.0\n' "$PGB_VERSION" | sort -V | head -1) == 1.21.0 ]]; then
    PGB_PREPARED=1
else
    PGB_PREPARED=0
fi
PGB_PORT=$(bench_free_port) || bench_die "no free port"
# The auth_file holds the server's own SCRAM verifier, not the password: PgBouncer
# then checks logins without deriving keys each time (as dbward does with the
# secret it derives once) and reuses the client's proof to log in to the server.
BENCH_VERIFIER=$(psql -X -At -h "$WORK" -p "$PG_PORT" -U postgres -d postgres \
    -c "SELECT rolpassword FROM pg_authid WHERE rolname = 'bench'") || bench_die "cannot read the SCRAM verifier"
[[ $BENCH_VERIFIER == SCRAM-SHA-256\$* ]] || bench_die "unexpected verifier for bench"
printf '"bench" "%s"\n' "$BENCH_VERIFIER" >"$WORK/pgbouncer-users.txt"
cat >"$WORK/pgbouncer.ini" <<EOF
[databases]
bench = host=127.0.0.1 port=$PG_PORT dbname=bench
bench_session = host=127.0.0.1 port=$PG_PORT dbname=bench pool_mode=session

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $WORK/pgbouncer-users.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
logfile = $WORK/pgbouncer.log
pidfile = $WORK/pgbouncer.pid
log_connections = 0
log_disconnections = 0
EOF
((PGB_PREPARED)) && echo "max_prepared_statements = 200" >>"$WORK/pgbouncer.ini"
chmod 600 "$WORK/pgbouncer-users.txt"
[[ $(id -u) == 0 ]] && chown "$RUN_USER:" "$WORK/pgbouncer.ini" "$WORK/pgbouncer-users.txt"

# ---- HAProxy -------------------------------------------------------------

HAP_PORT=$(bench_free_port) || bench_die "no free port"
cat >"$WORK/haproxy.cfg" <<EOF
global
    nbthread 2
    maxconn 4096

defaults
    mode tcp
    timeout connect 10s
    timeout client 1h
    timeout server 1h

listen pg
    bind 127.0.0.1:$HAP_PORT
    server pg1 127.0.0.1:$PG_PORT
EOF

# ---- dbward --------------------------------------------------------------

DBW_PORT=$(bench_free_port) || bench_die "no free port"
cat >"$WORK/dbward.yaml" <<EOF
workers: auto

listeners:
  - name: pg
    protocol: postgres
    listen: 127.0.0.1:$DBW_PORT
    backend: pg-bench
    tls: { mode: disable }

backends:
  - name: pg-bench
    protocol: postgres
    address: 127.0.0.1:$PG_PORT
    tls: { mode: disable }
    pool: { mode: transaction, size: 20 }

users:
  - name: bench
    password: "$BENCH_PASSWORD"

timeouts:
  connect: 5s
  login: 10s
  pool_wait: 5s
EOF
chmod 600 "$WORK/dbward.yaml"
# The same with the README's example policy, for the cost of judging statements.
POL_PORT=$(bench_free_port) || bench_die "no free port"
bench_policy_config "$WORK/dbward.yaml" "$WORK/policy.yaml" "$DBW_PORT" "$POL_PORT"
# And with an audit log of every statement.
AUD_PORT=$(bench_free_port) || bench_die "no free port"
bench_audit_config "$WORK/dbward.yaml" "$WORK/audit.yaml" "$DBW_PORT" "$AUD_PORT"

# ---- start the proxies -----------------------------------------------------

declare -A PORT=([direct]=$PG_PORT [dbward]=$DBW_PORT [policy]=$POL_PORT [audit]=$AUD_PORT
    [pgbouncer]=$PGB_PORT [haproxy]=$HAP_PORT)
declare -A UP=()
DBWARD_NOTE=""

bench_wants direct && UP[direct]=1

if bench_wants pgbouncer; then
    if [[ $(id -u) == 0 ]]; then
        pgbouncer -u "$RUN_USER" "$WORK/pgbouncer.ini" >"$WORK/pgbouncer.out" 2>&1 &
    else
        pgbouncer "$WORK/pgbouncer.ini" >"$WORK/pgbouncer.out" 2>&1 &
    fi
    pid=$!
    bench_track_pid "$pid"
    bench_wait_port "$PGB_PORT" 10 "$pid" ||
        { cat "$WORK/pgbouncer.out" "$WORK/pgbouncer.log" >&2 2>/dev/null; bench_die "PgBouncer did not start"; }
    UP[pgbouncer]=1
fi

bench_wants haproxy && bench_start_haproxy
bench_wants dbward && bench_start_dbward
bench_wants policy && bench_start_dbward policy "$WORK/policy.yaml" "$POL_PORT"
bench_wants audit && bench_start_dbward audit "$WORK/audit.yaml" "$AUD_PORT"

# ---- workloads -------------------------------------------------------------

# id | label | pgbench arguments | 1 when it uses named prepared statements
WORKLOADS=(
    "select-simple|\`-S -M simple\`|-S -M simple|0"
    "select-extended|\`-S -M extended\`|-S -M extended|0"
    "select-prepared|\`-S -M prepared\`|-S -M prepared|1"
    "select-connect|\`-S -C\` (new connection per transaction)|-S -M simple -C|0"
)
((WITH_WRITE)) && WORKLOADS+=("tpcb-prepared|TPC-B-like write, \`-M prepared\`|-M prepared|1")

# PgBouncer older than 1.21 cannot keep named prepared statements across
# transaction-pooled server connections: use its session-pooled alias there.
database_for() {
    local target=$1 prepared=$2
    if [[ $target == pgbouncer && $prepared == 1 && $PGB_PREPARED == 0 ]]; then
        echo bench_session
    else
        echo bench
    fi
}

# Runs pgbench with its output in LOG; prints the tps, or FAIL when pgbench
# failed in any way. pgbench can report 0 failed transactions while every client
# aborted, so the exit code, the failure count, the processed count and the text
# are all checked.
run_pgbench() {
    local target=$1 db=$2 seconds=$3 out=$4
    shift 4
    local rc tps failed processed
    timeout $((seconds + 60)) pgbench -h 127.0.0.1 -p "${PORT[$target]}" -U bench -n \
        -T "$seconds" -c "$CLIENTS" -j "$THREADS" "$@" "$db" >"$out" 2>&1
    rc=$?
    tps=$(awk '/^tps = / { print $3; exit }' "$out")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
    processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
    if ((rc != 0)) || [[ -z $tps || ${failed:-0} != 0 || ${processed:-0} == 0 ]] ||
        grep -qiE 'error|aborted' "$out"; then
        bench_log "$target: pgbench FAILED (exit $rc, log $out); last lines:"
        tail -8 "$out" >&2
        echo FAIL
    else
        echo "$tps"
    fi
}

# Each run starts from the same state: dirty pages flushed, and for the write
# workload the tables pgbench grows vacuumed and the history emptied (what
# pgbench itself does before a run, done here directly so no proxy sees it).
reset_state() {
    local write=$1
    if [[ $write == 1 ]]; then
        pg_admin bench "VACUUM pgbench_branches" "VACUUM pgbench_tellers" "TRUNCATE pgbench_history" >/dev/null ||
            bench_log "warning: resetting the pgbench tables failed"
    fi
    pg_admin postgres "CHECKPOINT" >/dev/null
}

mapfile -t ACTIVE < <(bench_up_targets)
((${#ACTIVE[@]})) || bench_die "no target is up"

bench_log "warm-up: ${WARMUP_SECONDS}s per target"
for t in "${ACTIVE[@]}"; do
    [[ $(run_pgbench "$t" bench "$WARMUP_SECONDS" "$WORK/warmup-$t.log" -S -M simple) == FAIL ]] &&
        bench_log "warning: warm-up through $t failed"
done

declare -A TPS=()
for wl in "${WORKLOADS[@]}"; do
    IFS='|' read -r id label args prepared <<<"$wl"
    read -r -a pgb_args <<<"$args"
    write=0
    [[ $id == tpcb-* ]] && write=1
    for ((round = 0; round < ROUNDS; round++)); do
        n=${#ACTIVE[@]}
        for ((i = 0; i < n; i++)); do
            t=${ACTIVE[$(((i + round) % n))]}
            reset_state "$write"
            bench_log "$id via $t (round $((round + 1))/$ROUNDS, ${RUN_SECONDS}s)"
            v=$(run_pgbench "$t" "$(database_for "$t" "$prepared")" "$RUN_SECONDS" \
                "$WORK/$id-$t-round$((round + 1)).log" "${pgb_args[@]}")
            TPS[$id:$t]="${TPS[$id:$t]:-} $v"
        done
    done
done

# ---- report ----------------------------------------------------------------

dbward_version() {
    if [[ -x $DBWARD_BIN ]]; then
        "$DBWARD_BIN" --version 2>/dev/null | head -1
    fi
}

report() {
    local wl id label args prepared d w p a b h bcell dbw_version
    echo "## PostgreSQL: pgbench direct, through dbward, PgBouncer and HAProxy"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'): ${RUN_SECONDS}s per run, $CLIENTS clients, $THREADS pgbench threads," \
        "scale $SCALE, $ROUNDS round(s) per cell (median), pools of 20 server connections."
    echo
    echo "| workload | direct tps | dbward tps | dbward+policy tps | dbward+audit tps | pgbouncer tps | haproxy tps | dbward/pgbouncer | dbward/haproxy | dbward/direct | policy/no policy | audit/no audit |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for wl in "${WORKLOADS[@]}"; do
        IFS='|' read -r id label args prepared <<<"$wl"
        d=$(bench_cell "$id" direct)
        w=$(bench_cell "$id" dbward)
        p=$(bench_cell "$id" policy)
        a=$(bench_cell "$id" audit)
        b=$(bench_cell "$id" pgbouncer)
        h=$(bench_cell "$id" haproxy)
        bcell=$(bench_fmt_tps "$b")
        if [[ $(database_for pgbouncer "$prepared") == bench_session && $bcell =~ ^[0-9]+$ ]]; then
            bcell="$bcell (session)"
        fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" \
            "$(bench_fmt_tps "$d")" "$(bench_fmt_tps "$w")" "$(bench_fmt_tps "$p")" \
            "$(bench_fmt_tps "$a")" "$bcell" "$(bench_fmt_tps "$h")" "$(bench_ratio "$w" "$b")" \
            "$(bench_ratio "$w" "$h")" "$(bench_ratio "$w" "$d")" "$(bench_ratio "$p" "$w")" \
            "$(bench_ratio "$a" "$w")"
    done
    echo
    echo "dbward and PgBouncer pool in transaction mode (20 server connections); HAProxy relays TCP."
    echo "dbward+policy: the same dbward configuration plus the README's example policy (every"
    echo "statement analysed and judged). dbward+audit: the same plus an audit log of every"
    echo "statement (fsync interval 1s, normalized statements, sha256 chain)."
    if [[ -n ${UP[audit]:-} && -f $WORK/audit/audit.jsonl ]]; then
        echo "Audit records written during the run: $(wc -l <"$WORK/audit/audit.jsonl")."
    fi
    if ((PGB_PREPARED == 0)) && [[ -n ${UP[pgbouncer]:-} ]]; then
        echo "(session): PgBouncer $PGB_VERSION predates \`max_prepared_statements\` (1.21), so its \`-M prepared\`"
        echo "rows use session pooling; dbward stays in transaction pooling there."
    fi
    [[ -n $DBWARD_NOTE ]] && echo "dbward: $DBWARD_NOTE."
    if ((ROUNDS > 1)); then
        echo
        echo "Spread over the $ROUNDS rounds (lowest-highest tps):"
        echo
        echo "| workload | direct | dbward | dbward+policy | dbward+audit | pgbouncer | haproxy |"
        echo "|---|---:|---:|---:|---:|---:|---:|"
        for wl in "${WORKLOADS[@]}"; do
            IFS='|' read -r id label args prepared <<<"$wl"
            printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(bench_spread "$id" direct)" \
                "$(bench_spread "$id" dbward)" "$(bench_spread "$id" policy)" \
                "$(bench_spread "$id" audit)" "$(bench_spread "$id" pgbouncer)" \
                "$(bench_spread "$id" haproxy)"
        done
    fi
    echo
    echo "Machine:"
    echo
    bench_machine_info
    echo "- Load average (1 min) when the script started: $LOAD_BEFORE"
    echo "- PostgreSQL: $("$PG_BIN/postgres" --version | awk '{ print $3 }') (fsync off, synchronous_commit off, shared_buffers 256MB)"
    echo "- PgBouncer: $PGB_VERSION"
    echo "- HAProxy: $(haproxy -v | awk 'NR == 1 { print $3 }') (nbthread 2)"
    echo "- pgbench: $(pgbench --version | awk '{ print $3 }')"
    if [[ -n $DBWARD_NOTE ]]; then
        echo "- dbward: $DBWARD_NOTE"
    else
        dbw_version=$(dbward_version)
        echo "- dbward: ${dbw_version:-version unknown} ($DBWARD_BIN)"
    fi
}

mkdir -p "$RESULTS_DIR"
RESULT_FILE=$RESULTS_DIR/pg-$(date +%Y%m%d-%H%M%S).md
report | tee "$RESULT_FILE"
bench_log "table written to ${RESULT_FILE#"$ROOT"/}"
