#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and runs
# each for SECONDS (default 20) over a copy of its seed corpus in
# fuzz/corpus/<target>/, so runs never grow the committed corpus. Exits
# non-zero when the build fails or any target reports a crash, leak, timeout
# or broken promise.
#
# A finding is kept as build-fuzz/findings/<target>-crash-<hash>; replay it
# with: build-fuzz/fuzz/<target> build-fuzz/findings/<target>-crash-<hash>
# Files named regress_* in a corpus are inputs that found a bug: each is
# replayed on its own and must run clean; the other files seed the fuzzing.
#
# Environment: FUZZ_BUILD_DIR overrides build-fuzz/.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1

SECONDS_EACH=${1:-20}
case $SECONDS_EACH in
'' | *[!0-9]*)
	echo "usage: fuzz/run.sh [SECONDS]" >&2
	exit 2
	;;
esac
BUILD=${FUZZ_BUILD_DIR:-$REPO/build-fuzz}
# Every fuzz/fuzz_*.c is a target (fuzz/meson.build declares each one).
TARGETS=()
for src in "$REPO"/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	TARGETS+=("$name")
done

setup_args=(-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized)
echo "fuzz: building in $BUILD"
if [ -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup --reconfigure "$BUILD" "${setup_args[@]}" >"$BUILD.setup.log" 2>&1
else
	rm -rf "$BUILD"
	CC=clang meson setup "$BUILD" "${setup_args[@]}" >"$BUILD.setup.log" 2>&1
fi || {
	cat "$BUILD.setup.log"
	echo "fuzz: meson setup failed"
	exit 1
}
if ! ninja -C "$BUILD" "${TARGETS[@]/#/fuzz/}"; then
	echo "fuzz: build failed"
	exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

FINDINGS="$BUILD/findings"
mkdir -p "$FINDINGS"
WORK=$(mktemp -d /tmp/dbward-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

failed=()
for t in "${TARGETS[@]}"; do
	corpus="$WORK/$t"
	mkdir -p "$corpus"
	bad=0
	for seed in "fuzz/corpus/$t"/*; do
		[ -f "$seed" ] || continue
		case $(basename "$seed") in
		regress_*)
			# Replayed one by one, so each still-open finding is named.
			if ! "$BUILD/fuzz/$t" "$seed" >"$WORK/replay.log" 2>&1; then
				echo "fuzz: $t FAILED on $seed:"
				grep -a -m3 -E "^$t:|ERROR|SUMMARY" "$WORK/replay.log"
				bad=1
			fi
			;;
		*) cp "$seed" "$corpus"/ ;;
		esac
	done
	dict=()
	if [ -f "fuzz/corpus/$t.dict" ]; then
		dict=("-dict=fuzz/corpus/$t.dict")
	fi
	log="$WORK/$t.log"
	echo "fuzz: $t for ${SECONDS_EACH}s over $(find "$corpus" -type f | wc -l) seeds"
	"$BUILD/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-max_len=4096 -print_final_stats=1 -artifact_prefix="$FINDINGS/$t-" \
		"${dict[@]}" "$corpus" >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "fuzz: $t FAILED (exit $rc); end of its log:"
		tail -n 40 "$log"
		bad=1
	else
		runs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -n1)
		echo "fuzz: $t fuzzed clean (${runs:-?} runs)"
	fi
	[ $bad -eq 0 ] || failed+=("$t")
done

if [ ${#failed[@]} -ne 0 ]; then
	echo "fuzz: findings in ${failed[*]} (inputs in $FINDINGS)"
	exit 1
fi
echo "fuzz: all ${#TARGETS[@]} targets ran clean"
