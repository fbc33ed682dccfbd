#!/usr/bin/env bash
# Installs every Debian 12 package dbward needs to build, run its servers for the
# quickstart and run its test suite. Idempotent: when all packages are already
# installed it touches nothing (no apt-get update), so repeated runs are cheap.
set -euo pipefail

PACKAGES=(
	build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
	libevent-dev libssl-dev libyaml-dev libpq-dev libmariadb-dev libpg-query-dev openssl
	postgresql-15 postgresql-client-15 mariadb-server mariadb-client
	pgbouncer haproxy sysbench
	python3-pytest python3-psycopg2 python3-asyncpg python3-pymysql python3-mysqldb python3-yaml
	logrotate systemd
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != "installed" ]; then
		missing+=("$pkg")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-deps: missing packages (${missing[*]}) and not root; install sudo or run as root" >&2
		exit 1
	fi
	SUDO=(sudo -n)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
# The server packages may start system services on a machine with systemd;
# dbward's scripts never use them (they run their own throwaway servers).
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	--no-install-recommends "${missing[@]}"
