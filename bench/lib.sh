# shellcheck shell=bash
# Shell helpers shared by the bench/ scripts (sourced, not executed).
#
# They keep the list of processes a benchmark started so that one EXIT trap
# can stop them all, hand out free loopback ports, wait for listeners and
# format numbers for the result tables.

BENCH_PIDS=()
BENCH_CLEANUP_HOOKS=()
BENCH_PORTS_GIVEN=" "

bench_log() {
    printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

bench_die() {
    bench_log "error: $*"
    exit 1
}

# Remember a process to stop at exit.
bench_track_pid() {
    BENCH_PIDS+=("$1")
}

# Register a command to run at exit, after the tracked processes are
# stopped (so proxies go before the database they point at).
bench_on_exit() {
    BENCH_CLEANUP_HOOKS+=("$1")
}

# Stop one process: TERM first, KILL if it is still there after ~5s.
bench_stop_pid() {
    local pid=$1 _
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

bench_cleanup() {
    local hook pid
    set +e
    for pid in "${BENCH_PIDS[@]}"; do
        bench_stop_pid "$pid"
    done
    for hook in "${BENCH_CLEANUP_HOOKS[@]}"; do
        eval "$hook" >/dev/null 2>&1
    done
}

# A free TCP port on 127.0.0.1. The kernel picks it; ports already handed
# out in this run are skipped so two services never get the same one.
bench_free_port() {
    local port _
    for _ in $(seq 20); do
        port=$(/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])') || return 1
        case "$BENCH_PORTS_GIVEN" in
            *" $port "*) continue ;;
        esac
        BENCH_PORTS_GIVEN="$BENCH_PORTS_GIVEN$port "
        echo "$port"
        return 0
    done
    return 1
}

# Succeeds once something accepts TCP connections on 127.0.0.1:PORT,
# fails after TIMEOUT seconds (or as soon as PID, if given, has exited).
bench_wait_port() {
    local port=$1 timeout=$2 pid=${3:-} deadline
    deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
            return 0
        fi
        if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.2
    done
    return 1
}

# Median of the numbers given as arguments (empty output if none).
bench_median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) exit
              if (NR % 2) print v[(NR + 1) / 2]
              else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# "1.03x" for A/B when both are numbers, "n/a" otherwise.
bench_ratio() {
    local a=$1 b=$2
    if [[ $a =~ ^[0-9.]+$ && $b =~ ^[0-9.]+$ ]]; then
        awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2fx\n", a / b; else print "n/a" }'
    else
        echo "n/a"
    fi
}

# tps as a whole number; anything that is not a number (FAIL, n/a) as is.
bench_fmt_tps() {
    if [[ $1 =~ ^[0-9.]+$ ]]; then
        printf '%.0f\n' "$1"
    else
        echo "$1"
    fi
}

# Markdown bullet list describing the machine the numbers come from.
bench_machine_info() {
    local cpu mem
    cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    echo "- CPU: ${cpu:-unknown} (nproc: $(nproc))"
    echo "- Memory: ${mem:-unknown}"
    echo "- Kernel: $(uname -srm)"
    echo "- OS: $(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")"
}

# 1-minute load average. Other work on the machine skews every column, so it
# is recorded next to the results and checked before a run.
bench_load() {
    awk '{ print $1 }' /proc/loadavg
}

# Warns when the machine is already busy before the benchmark starts.
bench_check_idle() {
    local load
    load=$(bench_load)
    if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n * 0.25) }'; then
        bench_log "warning: load average is $load before the run; other work on this machine will skew the numbers"
    fi
}

# Starts HAProxy from $WORK/haproxy.cfg, listening on $HAP_PORT; sets UP[haproxy].
bench_start_haproxy() {
    haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
    local pid=$!
    bench_track_pid "$pid"
    bench_wait_port "$HAP_PORT" 10 "$pid" ||
        { cat "$WORK/haproxy.log" >&2; bench_die "HAProxy did not start"; }
    UP[haproxy]=1
}

# Starts $DBWARD_BIN with $WORK/dbward.yaml, listening on $DBW_PORT; sets
# UP[dbward], or DBWARD_NOTE saying why its column stays empty. With
# arguments TARGET CONFIG PORT, starts another instance (for example with a
# policy) as target TARGET instead.
bench_start_dbward() {
    local target=${1:-dbward} config=${2:-$WORK/dbward.yaml} port=${3:-$DBW_PORT} note=""
    if [[ ! -x $DBWARD_BIN ]]; then
        note="not run: $DBWARD_BIN is missing"
    else
        "$DBWARD_BIN" -c "$config" >"$WORK/$target.log" 2>&1 &
        local pid=$!
        bench_track_pid "$pid"
        if bench_wait_port "$port" 10 "$pid"; then
            UP[$target]=1
        else
            note="not run: $target did not accept connections within 10s"
            bench_log "$target did not come up; last lines of its log:"
            tail -15 "$WORK/$target.log" >&2
            bench_stop_pid "$pid"
        fi
    fi
    if [[ -n $note ]]; then
        bench_log "$note"
        [[ $target == dbward ]] && DBWARD_NOTE=$note
    fi
    return 0
}

# Writes to DST the dbward config SRC listening on port TO instead of FROM,
# plus an audit log in $WORK/audit (fsync interval, normalized statements,
# sha256 chain): what auditing every statement costs.
bench_audit_config() { # SRC DST FROM TO
    mkdir -p "$WORK/audit" && chmod 700 "$WORK/audit"
    {
        sed "s/127.0.0.1:$3/127.0.0.1:$4/" "$1"
        printf '\naudit:\n  path: %s\n  fsync: interval\n  fsync_interval: 1s\n' "$WORK/audit/audit.jsonl"
        printf '  chain: sha256\n  statements: normalized\n'
    } >"$2"
    chmod 600 "$2"
}

# Writes to DST the dbward config SRC listening on port TO instead of FROM,
# plus the example policy of README.md (the YAML between its markers).
bench_policy_config() { # SRC DST FROM TO
    {
        sed "s/127.0.0.1:$3/127.0.0.1:$4/" "$1"
        echo
        awk '/<!-- END EXAMPLE POLICY -->/ { on = 0 } on && !/^```/ { print }
            /<!-- BEGIN EXAMPLE POLICY -->/ { on = 1 }' "$ROOT/README.md"
    } >"$2"
    chmod 600 "$2"
}

# ---- shared by the benchmark scripts (they set TARGETS, UP and TPS) ----

bench_wants() {
    local t
    for t in "${TARGETS[@]}"; do [[ $t == "$1" ]] && return 0; done
    return 1
}

bench_up_targets() {
    local t
    for t in "${TARGETS[@]}"; do [[ -n ${UP[$t]:-} ]] && echo "$t"; done
}

# Median over the rounds; any failed round makes the cell FAIL.
bench_cell() {
    local id=$1 t=$2 vals
    [[ -n ${UP[$t]:-} ]] || { echo "n/a"; return; }
    vals=${TPS[$id:$t]:-}
    if [[ -z ${vals// /} ]]; then echo "n/a"; return; fi
    if [[ $vals == *FAIL* ]]; then echo FAIL; return; fi
    # shellcheck disable=SC2086
    bench_median $vals
}

# "min-max" of the rounds of one cell, for judging the noise.
bench_spread() {
    local vals=${TPS[$1:$2]:-}
    [[ -n ${UP[$2]:-} && -n ${vals// /} && $vals != *FAIL* ]] || { echo "-"; return; }
    # shellcheck disable=SC2086
    printf '%s\n' $vals | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 }
        END { printf "%.0f-%.0f\n", lo, hi }'
}

# ---- what every benchmark script does the same way ----

# Reads the settings all scripts share: DBWARD_BIN, RUN_SECONDS,
# WARMUP_SECONDS and ROUNDS (BENCH_QUICK, BENCH_SECONDS, BENCH_ROUNDS).
bench_common_settings() {
    DBWARD_BIN=${DBWARD_BIN:-$ROOT/build/dbward}
    if [[ ${BENCH_QUICK:-0} == 1 ]]; then
        RUN_SECONDS=${BENCH_SECONDS:-3}
        WARMUP_SECONDS=1
    else
        RUN_SECONDS=${BENCH_SECONDS:-10}
        WARMUP_SECONDS=2
    fi
    ROUNDS=${BENCH_ROUNDS:-1}
}

# Starts a run: notes the load, creates WORK (/tmp/dbward-NAME.XXXXXX,
# removed on exit unless BENCH_KEEP=1; the caller sets its mode) and a
# random BENCH_PASSWORD.
bench_start_run() { # NAME
    LOAD_BEFORE=$(bench_load)
    bench_check_idle
    WORK=$(mktemp -d "/tmp/dbward-$1.XXXXXX") || bench_die "mktemp failed"
    trap bench_finish_run EXIT
    trap 'exit 130' INT TERM
    BENCH_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
}

bench_finish_run() {
    bench_cleanup
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
        bench_log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
