#!/usr/bin/env bash
# Full test run: installs dependencies, builds a release tree (build/) and a
# sanitizer tree (build-asan/), runs the unit tests in both and the integration
# tests (pytest, against the sanitizer binary), then prints one summary line
# "N passed, N failed". Exits non-zero when anything failed.
#
# Environment: DBWARD_BIN overrides the binary the integration tests start;
# PYTEST_ARGS adds pytest arguments (for example "-k tls").
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

PASSED=0
FAILED=0
NOTES=()

note() { NOTES+=("$*"); echo "run.sh: $*"; }

# Configures DIR with the given options, reconfiguring an existing tree so a
# tree left by the quickstart (no --werror) gets the CI options too.
setup_tree() { # DIR OPTION...
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >"$REPO/$dir.setup.log" 2>&1 ||
			meson setup --wipe "$dir" "$@" >"$REPO/$dir.setup.log" 2>&1
	else
		rm -rf "$dir"
		meson setup "$dir" "$@" >"$REPO/$dir.setup.log" 2>&1
	fi
}

build_tree() { # DIR OPTION...
	local dir=$1
	echo "run.sh: building $dir"
	if ! setup_tree "$@"; then
		cat "$REPO/$dir.setup.log"
		note "meson setup failed for $dir"
		return 1
	fi
	if ! ninja -C "$dir"; then
		note "build failed for $dir"
		return 1
	fi
}

# Runs meson test in DIR and adds its Ok/Fail counts to the totals.
unit_tests() { # DIR
	local dir=$1 log="$1/meson-test.out" ok fail
	echo "run.sh: unit tests in $dir"
	meson test -C "$dir" --print-errorlogs --num-processes 2 2>&1 | tee "$log"
	if grep -q "No tests defined" "$log"; then
		note "no unit tests defined in $dir"
		return
	fi
	ok=$(sed -n 's/^Ok:[[:space:]]*\([0-9]*\).*/\1/p' "$log" | tail -n1)
	fail=0
	local key n
	for key in Fail 'Unexpected Pass' Timeout; do
		n=$(sed -n "s/^$key:[[:space:]]*\([0-9]*\).*/\1/p" "$log" | tail -n1)
		fail=$((fail + ${n:-0}))
	done
	if [ -z "$ok" ]; then
		note "could not read the meson test summary in $dir"
		fail=$((fail + 1))
		ok=0
	fi
	PASSED=$((PASSED + ok))
	FAILED=$((FAILED + fail))
}

if ! bash deploy/install-deps.sh; then
	echo "run.sh: dependency installation failed"
	echo "0 passed, 1 failed"
	exit 1
fi

if build_tree build --buildtype=release --werror; then
	unit_tests build
else
	FAILED=$((FAILED + 1))
fi

if build_tree build-asan --buildtype=debug --werror \
	-Db_sanitize=address,undefined -Db_lundef=false; then
	unit_tests build-asan
else
	FAILED=$((FAILED + 1))
fi

# A short fuzzing run of every target (clang + ASan/UBSan); crashers found
# earlier stay in fuzz/corpus as regression seeds.
echo "run.sh: fuzzing"
if bash fuzz/run.sh "${FUZZ_SECONDS:-15}" </dev/null; then
	PASSED=$((PASSED + 1))
else
	FAILED=$((FAILED + 1))
	note "fuzz/run.sh reported findings"
fi

# Integration tests run against the sanitizer build: the fixtures fail a test
# whose dbward log shows an ASan/UBSan/LSan report.
export DBWARD_BIN=${DBWARD_BIN:-$REPO/build-asan/dbward}
JUNIT="$REPO/build-asan/pytest-junit.xml"
mkdir -p "$REPO/build-asan"
rm -f "$JUNIT"
echo "run.sh: integration tests with DBWARD_BIN=$DBWARD_BIN"
# The outer timeout keeps the whole run inside the CI budget even if dbward hangs
# in a way the per-test watchdog cannot break.
# shellcheck disable=SC2086
timeout -k 20 ${PYTEST_TIMEOUT:-600} /usr/bin/python3 -m pytest tests/integration -q \
	-p no:cacheprovider --junitxml="$JUNIT" ${PYTEST_ARGS:-} </dev/null
rc=$?
if [ -s "$JUNIT" ]; then
	read -r tests failures errors skipped < <(/usr/bin/python3 - "$JUNIT" <<-'EOF'
		import sys, xml.etree.ElementTree as ET
		root = ET.parse(sys.argv[1]).getroot()
		suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
		tot = [0, 0, 0, 0]
		for s in suites:
		    for i, k in enumerate(("tests", "failures", "errors", "skipped")):
		        tot[i] += int(s.get(k, 0))
		print(*tot)
	EOF
	)
	PASSED=$((PASSED + tests - failures - errors - skipped))
	FAILED=$((FAILED + failures + errors))
	if [ "$skipped" -gt 0 ]; then note "$skipped integration tests skipped"; fi
	if [ "$rc" -ne 0 ] && [ $((failures + errors)) -eq 0 ]; then
		note "pytest exited with $rc"
		FAILED=$((FAILED + 1))
	fi
else
	note "pytest produced no report (exit $rc)"
	FAILED=$((FAILED + 1))
fi

for n in "${NOTES[@]}"; do echo "note: $n"; done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
