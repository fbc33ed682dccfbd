#!/usr/bin/env bash
# dbward quickstart: installs the dependencies, builds dbward, starts a throwaway
# PostgreSQL 15 and MariaDB on loopback (never the system services), writes a
# config and runs dbward in front of both.
#
#   deploy/quickstart.sh [start]   set everything up (safe to run again)
#   deploy/quickstart.sh stop      stop dbward and both servers
#   deploy/quickstart.sh status    show what is running
#   deploy/quickstart.sh servers   only start the two database servers
#
# Ports can be moved with DBWARD_PG_PORT, DBWARD_MYSQL_PORT, QS_PG_PORT and
# QS_MARIADB_PORT when something else already uses them.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE="$REPO/.state"
PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=${QS_PG_PORT:-55432}
MARIA_PORT=${QS_MARIADB_PORT:-53306}
DBWARD_PG_PORT=${DBWARD_PG_PORT:-6432}
DBWARD_MYSQL_PORT=${DBWARD_MYSQL_PORT:-3307}
DBWARD_BIN="$REPO/build/dbward"
AS_ROOT=0
[ "$(id -u)" -eq 0 ] && AS_ROOT=1

say() { printf 'quickstart: %s\n' "$*"; }
die() { printf 'quickstart: ERROR: %s\n' "$*" >&2; exit 1; }

# PostgreSQL refuses to run as root, so as root the servers run as their own
# system users; as an ordinary user they simply run as that user.
as_pg() {
	# From / so the postgres user is not left in a directory it cannot enter.
	if [ $AS_ROOT -eq 1 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # PORT SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		port_open "$1" && return 0
		sleep 0.1
	done
	return 1
}

# Where server data lives. It must be traversable by the postgres and mysql
# users (a repo under /root is not), and unix socket paths must stay short.
choose_data_dir() {
	if [ -f "$STATE/data_dir" ]; then
		DATA=$(cat "$STATE/data_dir")
		return
	fi
	DATA="$STATE"
	local reason=""
	if [ $AS_ROOT -eq 1 ]; then
		runuser -u postgres -- test -x "$STATE" || reason="postgres cannot traverse $STATE"
		runuser -u mysql -- test -x "$STATE" || reason="mysql cannot traverse $STATE"
	fi
	# 107 bytes is the unix socket path limit; leave room for ".s.PGSQL.NNNNN".
	if [ ${#STATE} -gt 80 ]; then
		reason="the path $STATE is too long for unix sockets"
	fi
	if [ -n "$reason" ]; then
		DATA="/tmp/dbward-quickstart-$(id -u)"
		say "note: $reason; server data goes to $DATA instead"
		mkdir -p "$DATA"
		chmod 0755 "$DATA"
	fi
	printf '%s\n' "$DATA" >"$STATE/data_dir"
}

app_password() {
	if [ ! -s "$STATE/app.password" ]; then
		(umask 077 && openssl rand -hex 16 | tr -d '\n' >"$STATE/app.password")
	fi
	chmod 0600 "$STATE/app.password"
	cat "$STATE/app.password"
}

sql_quote() { printf "%s" "${1//\'/\'\'}"; }

pg_running() {
	[ -f "$DATA/pg/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$DATA/pg" status >/dev/null 2>&1
}

start_postgres() {
	mkdir -p "$DATA/pgrun"
	if [ $AS_ROOT -eq 1 ]; then chown postgres: "$DATA/pgrun"; fi
	if [ ! -f "$DATA/pg/PG_VERSION" ]; then
		say "initialising PostgreSQL 15 in $DATA/pg"
		mkdir -p "$DATA/pg"
		chmod 0700 "$DATA/pg"
		if [ $AS_ROOT -eq 1 ]; then chown postgres: "$DATA/pg"; fi
		as_pg "$PG_BIN/initdb" -D "$DATA/pg" -U postgres -E UTF8 --locale=C \
			--auth-local=trust --auth-host=scram-sha-256 >"$STATE/initdb.log" 2>&1 ||
			die "initdb failed, see $STATE/initdb.log"
		as_pg tee -a "$DATA/pg/postgresql.conf" >/dev/null <<-EOF
			listen_addresses = '127.0.0.1'
			port = $PG_PORT
			unix_socket_directories = '$DATA/pgrun'
			password_encryption = 'scram-sha-256'
			max_connections = 200
		EOF
	fi
	if pg_running; then
		say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
	else
		say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
		as_pg "$PG_BIN/pg_ctl" -D "$DATA/pg" -l "$DATA/pg/server.log" -w -t 60 start >/dev/null ||
			die "PostgreSQL did not start, see $DATA/pg/server.log"
	fi
	local pw q
	pw=$(app_password)
	q=$(sql_quote "$pw")
	# The password may change between runs only if the file was removed; set it each time.
	psql -X -q -v ON_ERROR_STOP=1 -h "$DATA/pgrun" -p "$PG_PORT" -U postgres -d postgres >/dev/null <<-EOF
		SELECT format('CREATE ROLE app LOGIN PASSWORD %L', '$q')
		WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app') \gexec
		ALTER ROLE app LOGIN PASSWORD '$q';
		SELECT 'CREATE DATABASE app OWNER app'
		WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'app') \gexec
	EOF
}

maria_sock() { printf '%s' "$DATA/mariadb/mariadb.sock"; }
maria_pidfile() { printf '%s' "$DATA/mariadb/mariadb.pid"; }

maria_cli() { mariadb --no-defaults -S "$(maria_sock)" -uroot "$@"; }

maria_running() {
	[ -f "$(maria_pidfile)" ] && kill -0 "$(cat "$(maria_pidfile)")" 2>/dev/null &&
		maria_cli -e 'SELECT 1' >/dev/null 2>&1
}

start_mariadb() {
	local user_opt=()
	if [ $AS_ROOT -eq 1 ]; then user_opt=(--user=mysql); fi
	if [ ! -d "$DATA/mariadb/mysql" ]; then
		say "initialising MariaDB in $DATA/mariadb"
		mkdir -p "$DATA/mariadb"
		if [ $AS_ROOT -eq 1 ]; then chown mysql: "$DATA/mariadb"; fi
		mariadb-install-db --no-defaults --datadir="$DATA/mariadb" "${user_opt[@]}" \
			--auth-root-authentication-method=normal --skip-test-db \
			>"$STATE/mariadb-install.log" 2>&1 ||
			die "mariadb-install-db failed, see $STATE/mariadb-install.log"
	fi
	if maria_running; then
		say "MariaDB already running on 127.0.0.1:$MARIA_PORT"
	else
		say "starting MariaDB on 127.0.0.1:$MARIA_PORT"
		# Socket, pid file and error log live in the data dir, which the server user owns.
		setsid mariadbd --no-defaults --datadir="$DATA/mariadb" "${user_opt[@]}" \
			--socket="$(maria_sock)" --pid-file="$(maria_pidfile)" \
			--port="$MARIA_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
			--log-error="$DATA/mariadb/error.log" --innodb-buffer-pool-size=128M \
			</dev/null >/dev/null 2>&1 &
		local mpid=$! i
		for ((i = 0; i < 300; i++)); do
			maria_running && break
			kill -0 "$mpid" 2>/dev/null || die "MariaDB exited, see $DATA/mariadb/error.log"
			sleep 0.1
		done
		maria_running || die "MariaDB did not start, see $DATA/mariadb/error.log"
	fi
	local pw q host
	pw=$(app_password)
	q=$(sql_quote "$pw")
	maria_cli -e "CREATE DATABASE IF NOT EXISTS app;" || die "cannot create the MariaDB database"
	for host in '%' '127.0.0.1' 'localhost'; do
		maria_cli -e "CREATE USER IF NOT EXISTS 'app'@'$host';
			ALTER USER 'app'@'$host' IDENTIFIED VIA mysql_native_password USING PASSWORD('$q');
			GRANT ALL PRIVILEGES ON app.* TO 'app'@'$host';" || die "cannot create the MariaDB user"
	done
}

write_config() { # WITH_MYSQL(0|1) FILE
	{
		cat <<-EOF
			# Written by deploy/quickstart.sh; edit freely, it is rewritten on each start.
			workers: auto
			listeners:
			  - name: pg
			    protocol: postgres
			    listen: 127.0.0.1:$DBWARD_PG_PORT
			    backend: pg-main
		EOF
		if [ "$1" -eq 1 ]; then
			cat <<-EOF
				  - name: mysql
				    protocol: mysql
				    listen: 127.0.0.1:$DBWARD_MYSQL_PORT
				    backend: maria-main
			EOF
		fi
		cat <<-EOF
			backends:
			  - name: pg-main
			    protocol: postgres
			    address: 127.0.0.1:$PG_PORT
			    pool:
			      mode: transaction
			      size: 20
		EOF
		if [ "$1" -eq 1 ]; then
			cat <<-EOF
				  - name: maria-main
				    protocol: mysql
				    address: 127.0.0.1:$MARIA_PORT
				    pool:
				      mode: transaction
				      size: 20
			EOF
		fi
		cat <<-EOF
			users:
			  - name: app
			    password_file: $STATE/app.password
			timeouts:
			  connect: 5s
			  login: 10s
			  pool_wait: 5s
		EOF
	} >"$2"
	chmod 0600 "$2"
}

stop_dbward() {
	local pid
	[ -f "$STATE/dbward.pid" ] || return 0
	pid=$(cat "$STATE/dbward.pid")
	if kill -0 "$pid" 2>/dev/null; then
		say "stopping dbward (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		local i
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
	fi
	rm -f "$STATE/dbward.pid"
}

start_dbward() {
	local with_mysql=1 out
	write_config 1 "$STATE/dbward.yaml"
	if ! out=$("$DBWARD_BIN" --check-config "$STATE/dbward.yaml" 2>&1); then
		write_config 0 "$STATE/dbward.yaml"
		if "$DBWARD_BIN" --check-config "$STATE/dbward.yaml" >/dev/null 2>&1; then
			with_mysql=0
			say "note: this dbward build does not accept the MySQL listener yet; running PostgreSQL only"
			printf '%s\n' "$out" | sed 's/^/    /'
		else
			"$DBWARD_BIN" --check-config "$STATE/dbward.yaml" || true
			die "dbward rejected $STATE/dbward.yaml (errors above)"
		fi
	fi
	stop_dbward
	local port
	for port in "$DBWARD_PG_PORT" $([ $with_mysql -eq 1 ] && echo "$DBWARD_MYSQL_PORT"); do
		port_open "$port" && die "port $port is already in use (a system pgbouncer?); set DBWARD_PG_PORT / DBWARD_MYSQL_PORT"
	done
	say "starting dbward (log: $STATE/dbward.log)"
	setsid "$DBWARD_BIN" -c "$STATE/dbward.yaml" </dev/null >>"$STATE/dbward.log" 2>&1 &
	echo $! >"$STATE/dbward.pid"
	for port in "$DBWARD_PG_PORT" $([ $with_mysql -eq 1 ] && echo "$DBWARD_MYSQL_PORT"); do
		if ! wait_port "$port" 20; then
			tail -n 30 "$STATE/dbward.log" >&2 || true
			die "dbward is not listening on 127.0.0.1:$port (log: $STATE/dbward.log)"
		fi
	done
	WITH_MYSQL=$with_mysql
}

# Proves each path with the real client before telling the user to use it.
check_through_dbward() {
	local pw
	pw=$(cat "$STATE/app.password")
	if ! PGPASSWORD=$pw PGCONNECT_TIMEOUT=10 psql -X -q -At \
		"host=127.0.0.1 port=$DBWARD_PG_PORT user=app dbname=app" -c 'SELECT 1' >/dev/null; then
		tail -n 30 "$STATE/dbward.log" >&2 || true
		die "psql through dbward (127.0.0.1:$DBWARD_PG_PORT) failed; dbward keeps running, log: $STATE/dbward.log"
	fi
	if [ "$WITH_MYSQL" -eq 1 ] && ! timeout 15 mariadb --no-defaults --connect-timeout=5 \
		-h127.0.0.1 -P"$DBWARD_MYSQL_PORT" -uapp -p"$pw" app -e 'SELECT 1' >/dev/null 2>&1; then
		say "note: the MySQL listener on 127.0.0.1:$DBWARD_MYSQL_PORT does not serve clients in this build yet"
		WITH_MYSQL=0
	fi
}

build() {
	cd "$REPO"
	if [ ! -f build/build.ninja ]; then
		say "configuring build/ (release)"
		meson setup build --buildtype=release >/dev/null
	fi
	say "building dbward"
	ninja -C build >"$STATE/build.log" 2>&1 || { tail -n 40 "$STATE/build.log" >&2; die "build failed (full log: $STATE/build.log)"; }
}

cmd_start() {
	bash "$REPO/deploy/install-deps.sh"
	mkdir -p "$STATE"
	chmod 0755 "$STATE"
	build
	choose_data_dir
	start_postgres
	start_mariadb
	WITH_MYSQL=0
	start_dbward
	check_through_dbward
	local pw
	pw=$(cat "$STATE/app.password")
	cat <<-EOF

		dbward is running (pid $(cat "$STATE/dbward.pid")), config $STATE/dbward.yaml
		log: $STATE/dbward.log

		PostgreSQL through dbward:
		  PGPASSWORD=$pw psql "host=127.0.0.1 port=$DBWARD_PG_PORT user=app dbname=app"
	EOF
	if [ "$WITH_MYSQL" -eq 1 ]; then
		cat <<-EOF
			MariaDB through dbward:
			  mariadb -h127.0.0.1 -P$DBWARD_MYSQL_PORT -uapp -p$pw app
		EOF
	fi
	cat <<-EOF
		Directly, bypassing dbward:
		  PGPASSWORD=$pw psql "host=127.0.0.1 port=$PG_PORT user=app dbname=app"
		  mariadb -h127.0.0.1 -P$MARIA_PORT -uapp -p$pw app

		Stop everything with: deploy/quickstart.sh stop
	EOF
}

cmd_servers() {
	bash "$REPO/deploy/install-deps.sh"
	mkdir -p "$STATE"
	chmod 0755 "$STATE"
	choose_data_dir
	start_postgres
	start_mariadb
	say "servers ready: PostgreSQL 127.0.0.1:$PG_PORT, MariaDB 127.0.0.1:$MARIA_PORT (user app, password in $STATE/app.password)"
}

cmd_stop() {
	[ -d "$STATE" ] || { say "nothing to stop"; return 0; }
	stop_dbward
	if [ -f "$STATE/data_dir" ]; then
		DATA=$(cat "$STATE/data_dir")
		if pg_running; then
			say "stopping PostgreSQL"
			as_pg "$PG_BIN/pg_ctl" -D "$DATA/pg" -m fast -w stop >/dev/null || true
		fi
		if [ -f "$(maria_pidfile)" ]; then
			local pid i
			pid=$(cat "$(maria_pidfile)")
			if kill -0 "$pid" 2>/dev/null; then
				say "stopping MariaDB (pid $pid)"
				kill -TERM "$pid" 2>/dev/null || true
				for ((i = 0; i < 300; i++)); do
					kill -0 "$pid" 2>/dev/null || break
					sleep 0.1
				done
				if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
			fi
		fi
	fi
	if [ "${DATA:-$STATE}" = "$STATE" ]; then
		say "stopped (data kept; remove $STATE to start from scratch)"
	else
		say "stopped (data kept; remove $STATE and $DATA to start from scratch)"
	fi
}

cmd_status() {
	local rc=0
	if [ -f "$STATE/dbward.pid" ] && kill -0 "$(cat "$STATE/dbward.pid")" 2>/dev/null; then
		say "dbward: running (pid $(cat "$STATE/dbward.pid")), log $STATE/dbward.log"
	else
		say "dbward: stopped"; rc=1
	fi
	if [ -f "$STATE/data_dir" ]; then
		DATA=$(cat "$STATE/data_dir")
		if pg_running; then say "PostgreSQL: running on 127.0.0.1:$PG_PORT"; else say "PostgreSQL: stopped"; rc=1; fi
		if maria_running; then say "MariaDB: running on 127.0.0.1:$MARIA_PORT"; else say "MariaDB: stopped"; rc=1; fi
	else
		say "servers: never started"; rc=1
	fi
	return $rc
}

case "${1:-start}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
servers) cmd_servers ;;
*) echo "usage: $0 [start|stop|status|servers]" >&2; exit 2 ;;
esac
