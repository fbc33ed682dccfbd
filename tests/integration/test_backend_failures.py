"""Backends that fail: connection retries with backoff, the circuit breaker and
health checks (docs/resilience.md), with psycopg2, PyMySQL and the raw wire
clients against the real PostgreSQL and MariaDB.

A backend that is "down" is a `Gate`: a local port that nothing listens on
(connections are refused, exactly as with a stopped server). Opening the gate
puts a plain TCP relay to the real server on that port, so the same backend
address comes back to life without restarting a server.
"""
import os
import re
import socket
import threading
import time
from datetime import datetime

import psycopg2
import pymysql
import pytest

from dbward_helpers import app_user, to_yaml
from my_wire import MyConn
from my_wire import ServerError as MyServerError
from pg_wire import ServerError as PgServerError
from pg_wire import SYNC, WireConn, bind_msg, execute_msg, parse_msg
from servers import APP_PASSWORD, APP_USER, free_port


class Gate:
    """A fixed local port (or unix socket path): closed, nothing listens
    there; open, every connection is relayed to the server at HOST:PORT.
    Closing also cuts the relayed connections, as a server going down would."""

    def __init__(self, host, port, unix_path=None):
        self.target = (host, port)
        self.port = free_port()
        self.unix_path = unix_path
        self.listener = None
        self.socks = []
        self.lock = threading.Lock()

    def open(self):
        if self.unix_path:
            ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            ls.bind(self.unix_path)
        else:
            ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind(("127.0.0.1", self.port))
        ls.listen(64)
        self.listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def _accept(self, ls):
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.socks += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        if self.listener:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
            if self.unix_path and os.path.exists(self.unix_path):
                os.unlink(self.unix_path)
        with self.lock:
            socks, self.socks = self.socks, []
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@pytest.fixture
def pg_gate(pg_server):
    gate = Gate(pg_server.host, pg_server.port)
    yield gate
    gate.close()


@pytest.fixture
def my_gate(maria_server):
    gate = Gate(maria_server.host, maria_server.port)
    yield gate
    gate.close()


def backend(name, protocol, address, *, mode="transaction", health="0", failures=5,
            reset_after="60s", probes=1, attempts=1, base_delay="100ms", max_delay="1s",
            max_uses=None, size=10):
    b = {"name": name, "protocol": protocol, "address": address}
    if protocol == "mysql":
        b["tls"] = {"mode": "disable"}
    b["pool"] = {"mode": mode, "size": size}
    if max_uses is not None:
        b["pool"]["max_uses"] = max_uses
    b["health_check"] = {"interval": health}
    b["circuit_breaker"] = {"failures": failures, "reset_after": reset_after,
                            "probe_successes": probes}
    b["connect_retry"] = {"attempts": attempts, "base_delay": base_delay,
                          "max_delay": max_delay}
    return b


class Setup:
    """One dbward: a listener per backend, the live servers beside the gated ones."""

    def __init__(self, start_dbward, backends, policies=None, pool_wait="10s"):
        self.ports = {b["name"]: free_port() for b in backends}
        listeners = [{"name": "l-" + b["name"], "protocol": b["protocol"],
                      "listen": f"127.0.0.1:{self.ports[b['name']]}", "backend": b["name"]}
                     for b in backends]
        config = {"workers": 2, "listeners": listeners, "backends": backends,
                  "users": [app_user()],
                  "timeouts": {"connect": "2s", "login": "10s", "pool_wait": pool_wait}}
        if policies:
            config["policies"] = policies
        self.dbward = start_dbward(to_yaml(config))

    def pg(self, name, **kw):
        return psycopg2.connect(host="127.0.0.1", port=self.ports[name], user=APP_USER,
                                password=APP_PASSWORD, dbname="app", connect_timeout=10, **kw)

    def my(self, name, **kw):
        return pymysql.connect(host="127.0.0.1", port=self.ports[name], user=APP_USER,
                               password=APP_PASSWORD, database="app", connect_timeout=10, **kw)

    def log(self):
        return self.dbward.log_text()

    def wait_log(self, pattern, timeout=10.0, count=1):
        """Waits until PATTERN (a regex) matches COUNT lines of the log."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            hits = [ln for ln in self.log().splitlines() if rx.search(ln)]
            if len(hits) >= count:
                return hits
            if time.monotonic() > deadline:
                raise AssertionError(f"no {count} log line(s) matching {pattern!r}; log:\n"
                                     + self.dbward.log_tail(40))
            time.sleep(0.02)


def pg_refusal(setup, name):
    """A psycopg2 login through listener NAME that must fail: (message, seconds)."""
    t0 = time.monotonic()
    with pytest.raises(psycopg2.OperationalError) as e:
        setup.pg(name)
    return str(e.value), time.monotonic() - t0


def my_refusal(setup, name):
    """A PyMySQL login that must fail: (errno, message, seconds)."""
    t0 = time.monotonic()
    with pytest.raises(pymysql.err.OperationalError) as e:
        setup.my(name)
    return e.value.args[0], e.value.args[1], time.monotonic() - t0


def pg_query(conn, sql="SELECT 1"):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def my_query(conn, sql="SELECT 1"):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def log_time(line):
    return datetime.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ")


# ---- a backend that is down: fail fast, others unaffected ----

@pytest.mark.deadline(90)
def test_down_backend_fails_fast_while_others_work(start_dbward, pg_server, maria_server,
                                                   pg_gate, my_gate):
    down = dict(failures=3, reset_after="30s", attempts=2, base_delay="100ms", max_delay="200ms")
    setup = Setup(start_dbward, [
        backend("pg-main", "postgres", f"{pg_server.host}:{pg_server.port}"),
        backend("my-main", "mysql", f"{maria_server.host}:{maria_server.port}"),
        backend("pg-down", "postgres", f"127.0.0.1:{pg_gate.port}", **down),
        backend("my-down", "mysql", f"127.0.0.1:{my_gate.port}", **down),
    ])
    live_pg = setup.pg("pg-main")
    live_pg.autocommit = True
    live_my = setup.my("my-main", autocommit=True)

    t_all = time.monotonic()
    pg_results = []
    my_results = []
    for i in range(7):
        pg_results.append(pg_refusal(setup, "pg-down"))
        my_results.append(my_refusal(setup, "my-down"))
        # The live backends keep serving, on open and new connections alike.
        assert pg_query(live_pg, f"SELECT {i}") == i
        assert my_query(live_my, f"SELECT {i}") == i
    total = time.monotonic() - t_all
    assert total < 12, f"14 refused logins took {total:.1f}s"

    for msg, _ in pg_results:
        assert "dbward: backend" in msg and "unavailable" in msg, msg
    for code, msg, _ in my_results:
        assert code == 1053 and msg.startswith("dbward: backend"), (code, msg)
    # The first login used up its retries; by the third the circuit was open
    # (3 failed attempts): from then on every refusal is immediate and says so.
    assert "dbward: backend unavailable" in pg_results[0][0]
    assert "dbward: backend unavailable" == my_results[0][1]
    for msg, took in pg_results[2:]:
        assert "dbward: backend pg-down unavailable (circuit open)" in msg, msg
        assert took < 0.5, f"refusal with the circuit open took {took:.3f}s"
    for code, msg, took in my_results[2:]:
        assert msg == "dbward: backend my-down unavailable (circuit open)", msg
        assert took < 0.5, f"refusal with the circuit open took {took:.3f}s"

    # The exact codes on the wire.
    w = WireConn("127.0.0.1", setup.ports["pg-down"])
    with pytest.raises(PgServerError) as e:
        w.login(APP_USER, APP_PASSWORD, "app")
    assert e.value.sqlstate == "08006"
    assert e.value.fields.get("S") == "FATAL"
    w.close()
    m = MyConn("127.0.0.1", setup.ports["my-down"])
    with pytest.raises(MyServerError) as e:
        m.login(APP_USER, APP_PASSWORD)
    assert (e.value.code, e.value.sqlstate) == (1053, "08S01")
    m.close()

    # While open, no connection attempt reaches for the backend; each state
    # change is logged once.
    log = setup.log()
    for name in ("pg-down", "my-down"):
        assert len(re.findall(rf"backend {name}: circuit open", log)) == 1, log
        attempts = re.findall(rf"warning: backend {name}: connect", log)
        assert len(attempts) == 3, f"{name}: {len(attempts)} attempts, expected 3"
    fresh = setup.pg("pg-main")
    assert pg_query(fresh, "SELECT 42") == 42
    fresh.close()
    live_pg.close()
    live_my.close()


# ---- the backend comes back: half-open, probes, closed ----

@pytest.mark.parametrize("protocol", ["postgres", "mysql"])
def test_backend_back_after_reset_and_probes(start_dbward, pg_server, maria_server, pg_gate,
                                             my_gate, protocol):
    pg = protocol == "postgres"
    gate = pg_gate if pg else my_gate
    name = "pg-down" if pg else "my-down"
    # Session pooling: each client holds its own server connection, so two
    # clients make two probes.
    setup = Setup(start_dbward, [
        backend(name, protocol, f"127.0.0.1:{gate.port}", mode="session", failures=2,
                reset_after="2s", probes=2, attempts=1),
    ])

    def refused():
        if pg:
            msg, took = pg_refusal(setup, name)
        else:
            _, msg, took = my_refusal(setup, name)
        return msg, took

    def login():
        return setup.pg(name) if pg else setup.my(name)

    refused()
    refused()
    t_open = time.monotonic()
    setup.wait_log(rf"backend {name}: circuit open")
    msg, _ = refused()
    assert "(circuit open)" in msg

    # The server is back, but the circuit waits reset_after before probing.
    gate.open()
    msg, took = refused()
    assert "(circuit open)" in msg and took < 0.5
    assert time.monotonic() - t_open < 2, "too slow to see the circuit still open"

    time.sleep(max(0.0, t_open + 2.1 - time.monotonic()))
    first = login()
    assert (pg_query if pg else my_query)(first, "SELECT 7") == 7
    setup.wait_log(rf"backend {name}: circuit half-open")
    assert not re.search(rf"backend {name}: circuit closed", setup.log())
    second = login()
    assert (pg_query if pg else my_query)(second, "SELECT 8") == 8
    setup.wait_log(rf"backend {name}: circuit closed after 2 successful probe")
    third = login()
    assert (pg_query if pg else my_query)(third, "SELECT 9") == 9
    for c in (first, second, third):
        c.close()


def test_failed_probe_opens_again(start_dbward, pg_gate):
    setup = Setup(start_dbward, [
        backend("pg-down", "postgres", f"127.0.0.1:{pg_gate.port}", failures=1,
                reset_after="300ms", probes=1, attempts=3, base_delay="50ms"),
    ])
    pg_refusal(setup, "pg-down")
    setup.wait_log(r"backend pg-down: circuit open \(1 consecutive")
    time.sleep(0.35)
    msg, took = pg_refusal(setup, "pg-down")
    # The probe failed: open again at once, without the retries a closed
    # circuit would make.
    assert "(circuit open)" in msg and took < 0.5
    setup.wait_log(r"backend pg-down: circuit open \(a probe failed\)")
    log = setup.log()
    assert len(re.findall(r"backend pg-down: circuit half-open", log)) == 1
    assert "retry" not in log


# ---- retries ----

@pytest.mark.parametrize("protocol", ["postgres", "mysql"])
def test_retries_back_off(start_dbward, pg_gate, my_gate, protocol):
    pg = protocol == "postgres"
    gate = pg_gate if pg else my_gate
    name = "pg-down" if pg else "my-down"
    setup = Setup(start_dbward, [
        backend(name, protocol, f"127.0.0.1:{gate.port}", failures=100, attempts=3,
                base_delay="200ms", max_delay="1s"),
    ])
    if pg:
        msg, took = pg_refusal(setup, name)
        assert "dbward: backend unavailable" in msg
    else:
        code, msg, took = my_refusal(setup, name)
        assert (code, msg) == (1053, "dbward: backend unavailable")

    lines = setup.wait_log(rf"warning: backend {name}: connect", count=3)
    retries = [re.search(r"; retry (\d+) of 2 in (\d+) ms$", ln) for ln in lines]
    assert retries[0] and retries[1] and not retries[2], lines
    assert [int(r.group(1)) for r in retries[:2]] == [1, 2]
    d1, d2 = int(retries[0].group(2)), int(retries[1].group(2))
    # Equal jitter: retry 1 in [100, 200] ms, retry 2 in [200, 400] ms.
    assert 100 <= d1 <= 200 and 200 <= d2 <= 400 and d1 <= d2, (d1, d2)
    t = [log_time(ln) for ln in lines]
    gap1 = (t[1] - t[0]).total_seconds() * 1000
    gap2 = (t[2] - t[1]).total_seconds() * 1000
    assert gap1 >= d1 - 2 and gap2 >= d2 - 2, (gap1, d1, gap2, d2)
    assert gap1 < d1 + 1000 and gap2 < d2 + 1000, (gap1, d1, gap2, d2)
    assert took >= (d1 + d2) / 1000 - 0.01


@pytest.mark.parametrize("protocol", ["postgres", "mysql"])
def test_backend_up_between_retries(start_dbward, pg_gate, my_gate, protocol):
    pg = protocol == "postgres"
    gate = pg_gate if pg else my_gate
    name = "pg-down" if pg else "my-down"
    setup = Setup(start_dbward, [
        backend(name, protocol, f"127.0.0.1:{gate.port}", failures=100, attempts=3,
                base_delay="1500ms", max_delay="3s"),
    ])
    result = {}

    def client():
        t0 = time.monotonic()
        try:
            conn = setup.pg(name) if pg else setup.my(name)
            result["value"] = (pg_query if pg else my_query)(conn, "SELECT 5")
            conn.close()
        except Exception as e:  # reported below
            result["error"] = e
        result["took"] = time.monotonic() - t0

    th = threading.Thread(target=client)
    th.start()
    line = setup.wait_log(rf"backend {name}: .*; retry 1 of 2 in (\d+) ms")[0]
    delay = int(re.search(r"in (\d+) ms$", line).group(1))
    gate.open()
    th.join(20)
    assert not th.is_alive()
    assert "error" not in result, result
    assert result["value"] == 5
    assert result["took"] >= delay / 1000 - 0.05
    assert "unavailable" not in setup.log()


# ---- between transactions, a failure is one request's, not the session's ----

def test_unavailable_mid_session_keeps_the_session(start_dbward, pg_gate, my_gate):
    setup = Setup(start_dbward, [
        backend("pg-down", "postgres", f"127.0.0.1:{pg_gate.port}", failures=100, max_uses=1),
        backend("my-down", "mysql", f"127.0.0.1:{my_gate.port}", failures=100, max_uses=1),
    ], policies=[{"name": "no-ddl", "match": {}, "statements": {"deny": ["ddl"]}}])
    pg_gate.open()
    my_gate.open()
    pgc = setup.pg("pg-down")
    pgc.autocommit = True
    myc = setup.my("my-down", autocommit=True)
    wire = WireConn("127.0.0.1", setup.ports["pg-down"])
    wire.login(APP_USER, APP_PASSWORD, "app")
    assert pg_query(pgc) == 1 and my_query(myc) == 1
    assert wire.query("SELECT 1") == [("1",)]
    # max_uses 1: no idle server connection is left to serve the next request.
    pg_gate.close()
    my_gate.close()
    with pytest.raises(psycopg2.OperationalError) as e:
        pg_query(pgc)
    assert e.value.pgcode == "08006" and "dbward: backend unavailable" in str(e.value)
    with pytest.raises(pymysql.err.OperationalError) as e:
        my_query(myc)
    assert e.value.args[0] == 1053
    assert re.fullmatch(r"dbward: backend unavailable \(ref [0-9a-f]+-[0-9a-f]+-[0-9a-f]+\)",
                        e.value.args[1]), e.value.args
    # An extended-protocol batch: its error, the rest skipped up to Sync.
    wire.send(parse_msg("", "SELECT $1::int", [23]) + bind_msg("", "", [6]) + execute_msg()
              + SYNC)
    msgs = wire.collect()
    assert [k for k, _ in msgs] == [b"E", b"Z"], msgs
    assert msgs[0][1]["C"] == "08006" and msgs[0][1]["S"] == "ERROR"
    assert msgs[1][1] == b"I"
    pg_gate.open()
    my_gate.open()
    # The failed request was judged and dropped: the next one is judged anew.
    with pytest.raises(psycopg2.Error) as e:
        pg_query(pgc, "CREATE TABLE dw_failures_bypass (a int)")
    assert e.value.pgcode == "42501", e.value
    with pytest.raises(pymysql.err.MySQLError) as e:
        my_query(myc, "CREATE TABLE dw_failures_bypass (a int)")
    assert e.value.args[0] == 1227, e.value
    assert pg_query(pgc, "SELECT 11") == 11
    assert my_query(myc, "SELECT 12") == 12
    wire.send(parse_msg("", "SELECT $1::int", [23]) + bind_msg("", "", [13]) + execute_msg()
              + SYNC)
    assert [v for k, v in wire.collect() if k == b"D"] == [("13",)]
    wire.close()
    pgc.close()
    myc.close()


def test_pool_wait_timeout_then_next_statement_is_judged(start_dbward, pg_server,
                                                         maria_server):
    """The same path for a client that timed out waiting for a connection."""
    setup = Setup(start_dbward, [
        backend("pg-main", "postgres", f"{pg_server.host}:{pg_server.port}", size=1),
        backend("my-main", "mysql", f"{maria_server.host}:{maria_server.port}", size=1),
    ], policies=[{"name": "no-ddl", "match": {}, "statements": {"deny": ["ddl"]}}],
        pool_wait="300ms")
    holder_pg, holder_my = setup.pg("pg-main"), setup.my("my-main")
    waiter_pg = setup.pg("pg-main")
    waiter_pg.autocommit = True
    waiter_my = setup.my("my-main", autocommit=True)
    holder_my.begin()
    assert pg_query(holder_pg) == 1 and my_query(holder_my) == 1  # in a transaction
    with pytest.raises(psycopg2.Error) as e:
        pg_query(waiter_pg, "SELECT 2")
    assert e.value.pgcode == "53300"
    with pytest.raises(pymysql.err.MySQLError) as e:
        my_query(waiter_my, "SELECT 2")
    assert e.value.args[0] == 1040
    holder_pg.commit()
    holder_my.commit()
    with pytest.raises(psycopg2.Error) as e:
        pg_query(waiter_pg, "CREATE TABLE dw_failures_bypass (a int)")
    assert e.value.pgcode == "42501", e.value
    with pytest.raises(pymysql.err.MySQLError) as e:
        my_query(waiter_my, "CREATE TABLE dw_failures_bypass (a int)")
    assert e.value.args[0] == 1227, e.value
    assert pg_query(waiter_pg, "SELECT 3") == 3 and my_query(waiter_my, "SELECT 4") == 4
    for c in (holder_pg, holder_my, waiter_pg, waiter_my):
        c.close()


# ---- health checks ----

def test_health_checks_open_and_close_the_circuit(start_dbward, pg_server, pg_gate, my_gate):
    with open(pg_server.log_path) as f:
        pg_log_start = len(f.read())
    setup = Setup(start_dbward, [
        backend("pg-down", "postgres", f"127.0.0.1:{pg_gate.port}", health="200ms", failures=2,
                reset_after="1s", probes=2),
        backend("my-down", "mysql", f"127.0.0.1:{my_gate.port}", health="200ms", failures=2,
                reset_after="1s", probes=2),
    ])
    # No client at all: the checks alone find the backends down.
    for name in ("pg-down", "my-down"):
        setup.wait_log(rf"backend {name}: circuit open \(2 consecutive")
    # Timed on a second attempt: the first login of a process derives the
    # password's SCRAM secret, slow on purpose, and is not the breaker's cost.
    pg_refusal(setup, "pg-down")
    msg, took = pg_refusal(setup, "pg-down")
    assert "dbward: backend pg-down unavailable (circuit open)" in msg and took < 0.5
    my_refusal(setup, "my-down")
    code, msg, took = my_refusal(setup, "my-down")
    assert (code, msg) == (1053, "dbward: backend my-down unavailable (circuit open)")
    assert took < 0.5

    pg_gate.open()
    my_gate.open()
    for name in ("pg-down", "my-down"):
        setup.wait_log(rf"backend {name}: circuit closed after 2 successful probe")
        setup.wait_log(rf"backend {name}: health check passed")
    conn = setup.pg("pg-down")
    assert pg_query(conn, "SELECT 3") == 3
    conn.close()
    conn = setup.my("my-down")
    assert my_query(conn, "SELECT 4") == 4
    conn.close()

    log = setup.log()
    for name in ("pg-down", "my-down"):
        # Said once, however many checks failed; no client made an attempt
        # before the circuit opened.
        assert len(re.findall(rf"backend {name}: health check failed", log)) == 1, log
        assert not re.search(rf"backend {name}: connect", log), log
    # The PostgreSQL check leaves nothing in the server's log.
    with open(pg_server.log_path) as f:
        added = f.read()[pg_log_start:]
    assert "could not accept" not in added and "incomplete startup" not in added, added


def test_health_checks_over_unix_sockets(start_dbward, pg_server, maria_server, tmp_path):
    """A PostgreSQL backend addressed by its socket directory (the check finds
    .s.PGSQL.5432 there, as libpq does) and a MySQL one by its socket file."""
    pg_dir = tmp_path / "pgsock"
    pg_dir.mkdir()
    pg_gate = Gate(pg_server.host, pg_server.port, str(pg_dir / ".s.PGSQL.5432"))
    my_gate = Gate(maria_server.host, maria_server.port, str(tmp_path / "my.sock"))
    try:
        setup = Setup(start_dbward, [
            backend("pg-down", "postgres", str(pg_dir), health="100ms", failures=1,
                    reset_after="300ms", probes=1),
            backend("my-down", "mysql", my_gate.unix_path, health="100ms", failures=1,
                    reset_after="300ms", probes=1),
        ])
        for name in ("pg-down", "my-down"):
            setup.wait_log(rf"backend {name}: health check failed: No such file")
            setup.wait_log(rf"backend {name}: circuit open")
        pg_gate.open()
        my_gate.open()
        for name in ("pg-down", "my-down"):
            setup.wait_log(rf"backend {name}: circuit closed after 1 successful probe")
        conn = setup.pg("pg-down")
        assert pg_query(conn, "SELECT 21") == 21
        conn.close()
        conn = setup.my("my-down")
        assert my_query(conn, "SELECT 22") == 22
        conn.close()
    finally:
        pg_gate.close()
        my_gate.close()
