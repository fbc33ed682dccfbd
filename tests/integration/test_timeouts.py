"""Statement time limits and result limits through dbward, on both protocols:
the statement stops ON THE SERVER, the client gets 57014 / 1969 or 54000 /
1104 from dbward with a reference the audit record holds, and the session
goes on. A client that dies mid-transaction leaves nothing open behind."""
import json
import os
import signal
import subprocess
import time
import uuid

import psycopg2
import pymysql
import pytest

from dbward_helpers import my_config, pg_config, wait_for
from servers import APP_PASSWORD


def with_audit(cfg, tmp_path, **extra):
    d = tmp_path / "audit"
    d.mkdir(mode=0o750, exist_ok=True)
    cfg = dict(cfg)
    cfg["audit"] = {"path": str(d / "audit.jsonl"), "fsync": "interval",
                    "fsync_interval": "100ms"}
    cfg.update(extra)
    return cfg, d / "audit.jsonl"


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def record_with_ref(path, ref):
    found = []
    wait_for(lambda: bool(found.extend(r for r in records(path) if r.get("ref") == ref) or found))
    return found[0] if found else None


def ref_of(message):
    assert "(ref " in message, message
    return message.rsplit("(ref ", 1)[1].split(")")[0]


LIMIT_POLICY = [{"name": "capped", "match": {}, "results": {"max_rows": 1000}}]


# ---- PostgreSQL ----

def pg_connect(proxy):
    conn = psycopg2.connect(host=proxy.host, port=proxy.port, user="app",
                            password=APP_PASSWORD, dbname="app", connect_timeout=10)
    conn.autocommit = True
    return conn


def pg_sleeping(su, marker):
    with su.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s AND pid <> "
                    "pg_backend_pid()", (f"%{marker}%",))
        return cur.fetchone()[0]


def test_pg_query_timeout_cancels_on_the_server(pg_server, start_dbward, tmp_path):
    cfg, audit = with_audit(pg_config(pg_server, timeouts={"query": "1s"}), tmp_path)
    proxy = start_dbward(cfg)
    su = pg_server.superuser_conn()
    conn = pg_connect(proxy)
    marker = f"m{uuid.uuid4().hex[:8]}"
    cur = conn.cursor()
    started = time.time()
    with pytest.raises(psycopg2.Error) as err:
        cur.execute(f"SELECT pg_sleep(4) /* {marker} */")
    elapsed = time.time() - started
    assert err.value.pgcode == "57014"
    assert 0.9 < elapsed < 2.0, elapsed
    message = err.value.pgerror
    assert "dbward: statement timeout" in message
    # Stopped on the server, not merely abandoned.
    assert wait_for(lambda: pg_sleeping(su, marker) == 0, timeout=2)
    # The session goes on.
    cur.execute("SELECT 41 + 1")
    assert cur.fetchone() == (42,)
    rec = record_with_ref(audit, ref_of(message))
    assert rec and rec["action"] == "timeout" and rec["rule"] == "timeouts.query"
    assert rec["sqlstate"] == "57014"
    # Writes have their own limit: a 1.5 s statement under write: 60s is fine
    # while reads are held to 1 s.
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS t_to (a int)")
    conn.autocommit = False
    cur.execute("INSERT INTO t_to SELECT 1 FROM pg_sleep(1.5)")
    conn.rollback()


def test_pg_timeout_inside_transaction_and_extended_protocol(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, timeouts={"query": "500ms"}))
    conn = pg_connect(proxy)
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("SELECT 1")
    with pytest.raises(psycopg2.Error) as err:
        cur.execute("SELECT pg_sleep(3)")
    assert err.value.pgcode == "57014"
    # The transaction failed as PostgreSQL's own statement_timeout would.
    with pytest.raises(psycopg2.Error) as err2:
        cur.execute("SELECT 1")
    assert err2.value.pgcode == "25P02"
    conn.rollback()
    cur.execute("SELECT 2")
    assert cur.fetchone() == (2,)
    conn.rollback()
    # Extended protocol with a named prepared statement (asyncpg).
    import asyncio
    import asyncpg

    async def extended():
        c = await asyncpg.connect(host=proxy.host, port=proxy.port, user="app",
                                  password=APP_PASSWORD, database="app")
        try:
            with pytest.raises(asyncpg.exceptions.QueryCanceledError) as e:
                await c.fetch("SELECT pg_sleep($1::float8)", 3)
            assert "dbward: statement timeout" in str(e.value)
            return await c.fetchval("SELECT $1::int + 1", 6)
        finally:
            await c.close()
    assert asyncio.run(extended()) == 7


def test_pg_result_limit(pg_server, start_dbward, tmp_path):
    cfg, audit = with_audit(pg_config(pg_server), tmp_path, policies=LIMIT_POLICY)
    proxy = start_dbward(cfg)
    conn = pg_connect(proxy)
    cur = conn.cursor()
    cur.execute("SELECT g FROM generate_series(1, 1000) g")
    assert len(cur.fetchall()) == 1000
    with pytest.raises(psycopg2.Error) as err:
        cur.execute("SELECT g FROM generate_series(1, 5000) g")
    assert err.value.pgcode == "54000"
    assert "results.max_rows" in err.value.pgerror
    cur.execute("SELECT 3")
    assert cur.fetchone() == (3,)
    rec = record_with_ref(audit, ref_of(err.value.pgerror))
    assert rec and rec["action"] == "blocked" and rec["rule"] == "results.max_rows"
    # Inside a transaction the server's transaction fails too, whether or not
    # the cancel arrived before the statement ended.
    conn.autocommit = False
    with pytest.raises(psycopg2.Error):
        cur.execute("SELECT g FROM generate_series(1, 5000) g")
    with pytest.raises(psycopg2.Error) as err2:
        cur.execute("SELECT 1")
    assert err2.value.pgcode == "25P02"
    conn.rollback()
    # Large rows, partly arrived when the limit strikes.
    conn.autocommit = True
    with pytest.raises(psycopg2.Error) as err3:
        cur.execute("SELECT repeat('x', 100000) FROM generate_series(1, 3000)")
    assert err3.value.pgcode == "54000"
    cur.execute("SELECT 4")
    assert cur.fetchone() == (4,)


def test_pg_client_killed_mid_transaction_leaves_nothing_open(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, mode="session"))
    su = pg_server.superuser_conn()
    marker = f"k{uuid.uuid4().hex[:8]}"
    psql = subprocess.Popen(
        ["psql", "-X", "-h", proxy.host, "-p", str(proxy.port), "-U", "app", "app", "-c",
         f"BEGIN; CREATE TEMP TABLE {marker} (a int); SELECT pg_sleep(30) /* {marker} */"],
        env={**os.environ, "PGPASSWORD": APP_PASSWORD}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    assert wait_for(lambda: pg_sleeping(su, marker) == 1, timeout=10)
    psql.send_signal(signal.SIGKILL)
    psql.wait()

    def open_transactions():
        with su.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND "
                        "xact_start IS NOT NULL")
            return cur.fetchone()[0]
    assert wait_for(lambda: pg_sleeping(su, marker) == 0 and open_transactions() == 0,
                    timeout=5)


# ---- MySQL / MariaDB ----

def my_connect(proxy, **kw):
    return pymysql.connect(host=proxy.host, port=proxy.port, user="app",
                           password=APP_PASSWORD, database="app", connect_timeout=10,
                           read_timeout=30, autocommit=True, **kw)


def my_root(maria):
    return pymysql.connect(unix_socket=maria.socket, user="root", autocommit=True,
                           connect_timeout=10)


def my_running(root, marker):
    with root.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE %s "
                    "AND ID <> CONNECTION_ID()", (f"%{marker}%",))
        return cur.fetchone()[0]


def test_my_query_timeout_kills_on_the_server(maria_server, start_dbward, tmp_path):
    cfg, audit = with_audit(my_config(maria_server, timeouts={"query": "1s"}), tmp_path)
    proxy = start_dbward(cfg)
    root = my_root(maria_server)
    conn = my_connect(proxy)
    marker = f"m{uuid.uuid4().hex[:8]}"
    started = time.time()
    with pytest.raises(pymysql.err.MySQLError) as err:
        with conn.cursor() as cur:
            cur.execute(f"SELECT SLEEP(4) /* {marker} */")
    elapsed = time.time() - started
    assert err.value.args[0] == 1969
    assert 0.9 < elapsed < 2.0, elapsed
    assert wait_for(lambda: my_running(root, marker) == 0, timeout=2)
    with conn.cursor() as cur:
        cur.execute("SELECT 41 + 1")
        assert cur.fetchone() == (42,)
    rec = record_with_ref(audit, ref_of(err.value.args[1]))
    assert rec and rec["action"] == "timeout" and rec["rule"] == "timeouts.query"


def test_my_result_limit(maria_server, start_dbward, tmp_path):
    cfg, audit = with_audit(my_config(maria_server), tmp_path, policies=LIMIT_POLICY)
    proxy = start_dbward(cfg)
    conn = my_connect(proxy)
    big = "SELECT seq FROM seq_1_to_5000"
    with conn.cursor() as cur:
        cur.execute("SELECT seq FROM seq_1_to_1000")
        assert len(cur.fetchall()) == 1000
    with pytest.raises(pymysql.err.MySQLError) as err:
        with conn.cursor() as cur:
            cur.execute(big)
            cur.fetchall()
    assert err.value.args[0] == 1104
    with conn.cursor() as cur:
        cur.execute("SELECT 3")
        assert cur.fetchone() == (3,)
    rec = record_with_ref(audit, ref_of(err.value.args[1]))
    assert rec and rec["rule"] == "results.max_rows"
    # Streaming (unbuffered) reads see the error after the rows they got.
    with pytest.raises(pymysql.err.MySQLError) as err2:
        with conn.cursor(pymysql.cursors.SSCursor) as cur:
            cur.execute("SELECT REPEAT('x', 100000) FROM seq_1_to_3000")
            for _ in cur:
                pass
    assert err2.value.args[0] == 1104
    with conn.cursor() as cur:
        cur.execute("SELECT 4")
        assert cur.fetchone() == (4,)


def test_my_client_killed_mid_transaction_leaves_nothing_open(maria_server, start_dbward):
    proxy = start_dbward(my_config(maria_server))
    root = my_root(maria_server)
    marker = f"k{uuid.uuid4().hex[:8]}"
    cli = subprocess.Popen(
        ["mariadb", "--no-defaults", "-h", proxy.host, "-P", str(proxy.port), "-u", "app",
         f"-p{APP_PASSWORD}", "app", "-e",
         f"CREATE TABLE IF NOT EXISTS tk (a int) ENGINE=InnoDB; BEGIN; INSERT INTO tk VALUES (1);"
         f" SELECT SLEEP(30), '{marker}'"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not wait_for(lambda: my_running(root, marker) == 1, timeout=10):
        cli.kill()
        pytest.fail("the client did not start its statement: " + cli.communicate()[1].decode())
    cli.send_signal(signal.SIGKILL)
    cli.wait()

    def open_transactions():
        with root.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN "
                        "information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id "
                        "WHERE p.USER = 'app'")
            return cur.fetchone()[0]
    assert wait_for(lambda: my_running(root, marker) == 0 and open_transactions() == 0,
                    timeout=5)


# ---- idle limits ----

def test_pg_idle_limits(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, timeouts={"client_idle": "1s",
                                                        "idle_in_transaction": "700ms"}))
    su = pg_server.superuser_conn()
    # A client that keeps talking is never idle.
    busy = pg_connect(proxy)
    cur = busy.cursor()
    for _ in range(6):
        cur.execute("SELECT 1")
        time.sleep(0.3)
    cur.execute("SELECT 2")
    # Idle outside a transaction: the session ends with 57P05.
    quiet = pg_connect(proxy)
    quiet.cursor().execute("SELECT 1")
    time.sleep(1.5)
    # libpq 15 reports the closed connection rather than the FATAL that
    # came before it, as with PostgreSQL's own idle_session_timeout.
    with pytest.raises(psycopg2.Error):
        quiet.cursor().execute("SELECT 1")
    assert wait_for(lambda: "terminating connection due to idle-session timeout"
                    in proxy.log_text())
    # Idle inside a transaction: 25P03, and the server rolled back.
    tx = pg_connect(proxy)
    tx.autocommit = False
    tx.cursor().execute("SELECT txid_current()")
    time.sleep(1.2)
    with pytest.raises(psycopg2.Error):
        tx.cursor().execute("SELECT 1")
    assert wait_for(lambda: "idle-in-transaction timeout" in proxy.log_text())

    def open_transactions():
        with su.cursor() as c:
            c.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND "
                      "xact_start IS NOT NULL")
            return c.fetchone()[0]
    assert wait_for(lambda: open_transactions() == 0, timeout=5)


def test_my_idle_in_transaction(maria_server, start_dbward):
    proxy = start_dbward(my_config(maria_server, timeouts={"idle_in_transaction": "700ms"}))
    root = my_root(maria_server)
    conn = pymysql.connect(
        host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD, database="app",
        connect_timeout=10, read_timeout=30, autocommit=False)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS ti (a int) ENGINE=InnoDB")
        cur.execute("INSERT INTO ti VALUES (1)")
    time.sleep(1.2)
    with pytest.raises(pymysql.err.MySQLError):
        with conn.cursor() as cur:
            cur.execute("SELECT 1")

    def open_transactions():
        with root.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN "
                        "information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id "
                        "WHERE p.USER = 'app'")
            return cur.fetchone()[0]
    assert wait_for(lambda: open_transactions() == 0, timeout=5)
    # Outside a transaction nothing ends a quiet session (client_idle is off).
    ok = my_connect(proxy)
    time.sleep(1.0)
    with ok.cursor() as cur:
        cur.execute("SELECT 5")
        assert cur.fetchone() == (5,)
