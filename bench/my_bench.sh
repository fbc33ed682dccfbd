#!/usr/bin/env bash
# MariaDB throughput through dbward next to the same server reached directly and
# through HAProxy in TCP mode (the cost of one extra hop with no protocol work).
# All three are measured in one run on the same throwaway server, so the ratios
# are comparable even when the absolute numbers depend on the machine.
#
# Usage: bench/my_bench.sh
# Environment:
#   BENCH_SECONDS     seconds per sysbench run (default 10)
#   BENCH_QUICK=1     3 s runs and a 1 s warm-up, for a smoke test
#   BENCH_ROUNDS      runs per cell, median reported (default 1); the order of the
#                     targets rotates from round to round
#   BENCH_THREADS     sysbench threads (default 16)
#   BENCH_POOL        dbward's pool size (default 32)
#   BENCH_TABLES      sysbench tables (default 4), BENCH_TABLE_SIZE rows each (default 100000)
#   BENCH_TARGETS     subset of "direct dbward policy haproxy" ("policy" is dbward
#                     with the README's example policy judging every statement)
#   BENCH_KEEP=1      keep the temporary directory (server and proxy logs)
#   DBWARD_BIN        dbward binary (default build/dbward in the repository)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

bench_common_settings
THREADS=${BENCH_THREADS:-16}
POOL_SIZE=${BENCH_POOL:-32}
TABLES=${BENCH_TABLES:-4}
TABLE_SIZE=${BENCH_TABLE_SIZE:-100000}
read -r -a TARGETS <<<"${BENCH_TARGETS:-direct dbward policy haproxy}"
RESULTS_DIR=$HERE/results

for tool in mariadbd mariadb-install-db mariadb sysbench haproxy; do
    command -v "$tool" >/dev/null || bench_die "$tool not found"
done

# mariadbd runs as the `mysql` user when started by root.
if [[ $(id -u) == 0 ]]; then
    RUN_USER=mysql
    USER_OPT=(--user=mysql)
else
    RUN_USER=$(id -un)
    USER_OPT=()
fi

bench_start_run mybench
chmod 755 "$WORK"

# ---- MariaDB ---------------------------------------------------------------

MY_PORT=$(bench_free_port) || bench_die "no free port"
DATADIR=$WORK/data
SOCKET=$WORK/mariadb.sock
bench_log "MariaDB on 127.0.0.1:$MY_PORT ($WORK)"
mkdir -p "$DATADIR"
[[ $(id -u) == 0 ]] && chown -R "$RUN_USER:" "$WORK"
mariadb-install-db --no-defaults --datadir="$DATADIR" --auth-root-authentication-method=normal \
    --skip-test-db "${USER_OPT[@]}" >"$WORK/install-db.log" 2>&1 ||
    { tail -20 "$WORK/install-db.log" >&2; bench_die "mariadb-install-db failed"; }
# No binary log and no flush at commit: the proxies are measured, not the disk.
mariadbd --no-defaults --datadir="$DATADIR" --socket="$SOCKET" --port="$MY_PORT" \
    --bind-address=127.0.0.1 --skip-name-resolve --pid-file="$WORK/mariadb.pid" \
    --log-error="$WORK/error.log" --max-connections=400 --skip-log-bin \
    --innodb-buffer-pool-size=512M --innodb-flush-log-at-trx-commit=0 \
    "${USER_OPT[@]}" </dev/null >/dev/null 2>&1 &
MY_PID=$!
# Stopped after the proxies (hooks run after the tracked processes).
bench_on_exit "bench_stop_pid $MY_PID"

# Root statements go over the Unix socket, never through a proxy.
my_admin() {
    mariadb --no-defaults -S "$SOCKET" -uroot -N -B "$@"
}
for _ in $(seq 300); do
    kill -0 "$MY_PID" 2>/dev/null || { tail -20 "$WORK/error.log" >&2; bench_die "mariadbd exited"; }
    my_admin -e "SELECT 1" >/dev/null 2>&1 && break
    sleep 0.2
done
my_admin -e "SELECT 1" >/dev/null 2>&1 || { tail -20 "$WORK/error.log" >&2; bench_die "MariaDB did not start"; }
my_admin -e "CREATE DATABASE bench;
CREATE USER 'bench'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('$BENCH_PASSWORD');
GRANT ALL PRIVILEGES ON bench.* TO 'bench'@'127.0.0.1';" || bench_die "creating the bench user failed"

SB_TABLE_ARGS=(--tables="$TABLES" --table-size="$TABLE_SIZE")
bench_log "sysbench prepare: $TABLES tables of $TABLE_SIZE rows"
sysbench oltp_read_write --mysql-socket="$SOCKET" --mysql-user=root --mysql-db=bench \
    "${SB_TABLE_ARGS[@]}" --threads=2 prepare >"$WORK/prepare.log" 2>&1 ||
    { tail -20 "$WORK/prepare.log" >&2; bench_die "sysbench prepare failed"; }

# ---- HAProxy ---------------------------------------------------------------

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

listen mariadb
    bind 127.0.0.1:$HAP_PORT
    server maria1 127.0.0.1:$MY_PORT
EOF

# ---- dbward ----------------------------------------------------------------

DBW_PORT=$(bench_free_port) || bench_die "no free port"
cat >"$WORK/dbward.yaml" <<EOF
workers: auto

listeners:
  - name: mysql
    protocol: mysql
    listen: 127.0.0.1:$DBW_PORT
    backend: maria-bench
    tls: { mode: disable }

backends:
  - name: maria-bench
    protocol: mysql
    address: 127.0.0.1:$MY_PORT
    tls: { mode: disable }
    pool: { mode: transaction, size: $POOL_SIZE }

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

# ---- start the proxies -------------------------------------------------------

declare -A PORT=([direct]=$MY_PORT [dbward]=$DBW_PORT [policy]=$POL_PORT [haproxy]=$HAP_PORT)
declare -A UP=()
DBWARD_NOTE=""

bench_wants direct && UP[direct]=1

bench_wants haproxy && bench_start_haproxy
bench_wants dbward && bench_start_dbward
bench_wants policy && bench_start_dbward policy "$WORK/policy.yaml" "$POL_PORT"

# ---- workloads ---------------------------------------------------------------

# id | label | sysbench test
WORKLOADS=(
    "point-select|\`oltp_point_select\`|oltp_point_select"
    "read-write|\`oltp_read_write\`|oltp_read_write"
)

# Runs sysbench with its output in LOG; prints "tps ignored-errors", or FAIL
# when the run failed in any way (exit code, FATAL line, reconnects, no tps).
# Ignored errors are deadlocks sysbench retries; they are reported, not fatal.
run_sysbench() {
    local target=$1 test=$2 seconds=$3 out=$4
    local rc tps ignored reconnects
    timeout $((seconds + 60)) sysbench "$test" --mysql-host=127.0.0.1 \
        --mysql-port="${PORT[$target]}" --mysql-user=bench --mysql-password="$BENCH_PASSWORD" \
        --mysql-db=bench "${SB_TABLE_ARGS[@]}" --rand-type=uniform --threads="$THREADS" \
        --time="$seconds" --report-interval=0 run >"$out" 2>&1
    rc=$?
    tps=$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.).*/\1/p' "$out")
    ignored=$(sed -n 's/^ *ignored errors: *\([0-9]*\).*/\1/p' "$out")
    reconnects=$(sed -n 's/^ *reconnects: *\([0-9]*\).*/\1/p' "$out")
    if ((rc != 0)) || [[ -z $tps || ${reconnects:-1} != 0 ]] || grep -q FATAL "$out"; then
        bench_log "$target: sysbench $test FAILED (exit $rc, log $out); last lines:"
        tail -8 "$out" >&2
        echo FAIL
    else
        echo "$tps ${ignored:-0}"
    fi
}

mapfile -t ACTIVE < <(bench_up_targets)
((${#ACTIVE[@]})) || bench_die "no target is up"

bench_log "warm-up: ${WARMUP_SECONDS}s per target"
for t in "${ACTIVE[@]}"; do
    [[ $(run_sysbench "$t" oltp_point_select "$WARMUP_SECONDS" "$WORK/warmup-$t.log") == FAIL ]] &&
        bench_log "warning: warm-up through $t failed"
done

declare -A TPS=() IGNORED=()
for wl in "${WORKLOADS[@]}"; do
    IFS='|' read -r id label test <<<"$wl"
    for ((round = 0; round < ROUNDS; round++)); do
        n=${#ACTIVE[@]}
        for ((i = 0; i < n; i++)); do
            t=${ACTIVE[$(((i + round) % n))]}
            bench_log "$id via $t (round $((round + 1))/$ROUNDS, ${RUN_SECONDS}s)"
            read -r v errs < <(run_sysbench "$t" "$test" "$RUN_SECONDS" \
                "$WORK/$id-$t-round$((round + 1)).log")
            TPS[$id:$t]="${TPS[$id:$t]:-} $v"
            IGNORED[$id:$t]=$((${IGNORED[$id:$t]:-0} + ${errs:-0}))
        done
    done
done

# ---- report ------------------------------------------------------------------

# The tps cell, with the deadlocks sysbench retried when there were any.
shown() {
    local id=$1 t=$2 v errs
    v=$(bench_fmt_tps "$(bench_cell "$id" "$t")")
    errs=${IGNORED[$id:$t]:-0}
    if [[ $v =~ ^[0-9]+$ && $errs != 0 ]]; then
        echo "$v ($errs ignored errors)"
    else
        echo "$v"
    fi
}

report() {
    local wl id label test d w p h dbw_version dbw_commit
    echo "## MySQL / MariaDB: sysbench direct, through dbward and HAProxy"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'): ${RUN_SECONDS}s per run, $THREADS sysbench threads," \
        "$TABLES tables of $TABLE_SIZE rows, uniform row choice, $ROUNDS round(s) per cell (median)."
    echo
    echo "| workload | direct tps | dbward tps | dbward+policy tps | haproxy tps | dbward/haproxy | dbward/direct | policy/no policy |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for wl in "${WORKLOADS[@]}"; do
        IFS='|' read -r id label test <<<"$wl"
        d=$(bench_cell "$id" direct)
        w=$(bench_cell "$id" dbward)
        p=$(bench_cell "$id" policy)
        h=$(bench_cell "$id" haproxy)
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(shown "$id" direct)" \
            "$(shown "$id" dbward)" "$(shown "$id" policy)" "$(shown "$id" haproxy)" \
            "$(bench_ratio "$w" "$h")" "$(bench_ratio "$w" "$d")" "$(bench_ratio "$p" "$w")"
    done
    echo
    echo "dbward pools in transaction mode ($POOL_SIZE server connections, \`workers: auto\`);" \
        "HAProxy relays TCP. sysbench uses server-side prepared statements."
    echo "dbward+policy: the same dbward configuration plus the README's example policy."
    [[ -n $DBWARD_NOTE ]] && echo "dbward: $DBWARD_NOTE."
    if ((ROUNDS > 1)); then
        echo
        echo "Spread over the $ROUNDS rounds (lowest-highest tps):"
        echo
        echo "| workload | direct | dbward | dbward+policy | haproxy |"
        echo "|---|---:|---:|---:|---:|"
        for wl in "${WORKLOADS[@]}"; do
            IFS='|' read -r id label test <<<"$wl"
            printf '| %s | %s | %s | %s | %s |\n' "$label" "$(bench_spread "$id" direct)" \
                "$(bench_spread "$id" dbward)" "$(bench_spread "$id" policy)" \
                "$(bench_spread "$id" haproxy)"
        done
    fi
    echo
    echo "Machine:"
    echo
    bench_machine_info
    echo "- Load average (1 min) when the script started: $LOAD_BEFORE"
    echo "- MariaDB: $(my_admin -e 'SELECT VERSION()') (innodb_flush_log_at_trx_commit 0, no binary log, buffer pool 512M)"
    echo "- HAProxy: $(haproxy -v | awk 'NR == 1 { print $3 }') (nbthread 2)"
    echo "- sysbench: $(sysbench --version | awk '{ print $2 }')"
    if [[ -n $DBWARD_NOTE ]]; then
        echo "- dbward: $DBWARD_NOTE"
    else
        dbw_version=$("$DBWARD_BIN" --version 2>/dev/null | head -1)
        dbw_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)
        echo "- dbward: ${dbw_version:-version unknown}${dbw_commit:+, commit $dbw_commit} ($DBWARD_BIN)"
    fi
}

mkdir -p "$RESULTS_DIR"
RESULT_FILE=$RESULTS_DIR/my-$(date +%Y%m%d-%H%M%S).md
report | tee "$RESULT_FILE"
bench_log "table written to ${RESULT_FILE#"$ROOT"/}"
