"""The admin HTTP endpoint (docs/admin.md) with real psycopg2 and PyMySQL
traffic through dbward: /metrics parses as Prometheus text under a strict
parser and its counters move with the traffic (statements by outcome,
connections, refusals, blocks, timeouts, rate limits, TLS handshakes, audit);
/healthz, /readyz (503 once the only backend's circuit is open), /pools and
/sessions (JSON, no secrets), 404/405, bounded requests, and a bind failure
that stops dbward."""
import hashlib
import http.client
import json
import math
import os
import re
import socket
import struct
import subprocess
import threading
import time

import psycopg2
import pymysql
import pytest

from dbward_helpers import dbward_bin, to_yaml, wait_for
from pg_wire import SYNC, WireConn, bind_msg, execute_msg, parse_msg
from servers import APP_PASSWORD, APP_USER, free_port

LIMITED_USER = "limited"
LIMITED_PASSWORD = "lim-Pw-93e1c4"


# ---- HTTP ----

class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def fetch(port, path, method="GET", headers=None, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return Resp(r.status, r.getheaders(), r.read().decode("utf-8"))
    finally:
        c.close()


# ---- a strict parser of the text exposition format 0.0.4 ----

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
HIST_SUFFIXES = ("_bucket", "_sum", "_count")


def parse_labels(text, line):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        assert m, f"bad labels at {pos}: {line!r}"
        name = m.group(1)
        assert name not in labels, f"label {name} twice: {line!r}"
        value = re.sub(r'\\(.)', lambda e: "\n" if e.group(1) == "n" else e.group(1), m.group(2))
        labels[name] = value
        pos = m.end()
        if pos < len(text):
            assert text[pos] == ",", f"expected ',' at {pos}: {line!r}"
            pos += 1
            assert pos < len(text), f"trailing ',': {line!r}"
    return labels


def parse_metrics(text):
    """{(name, frozenset(labels)): value} and {family: type}; asserts the
    format along the way."""
    assert text.endswith("\n"), "no final newline"
    types, helps, samples = {}, set(), {}
    for line in text[:-1].split("\n"):
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            assert name not in helps, f"HELP twice: {name}"
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            assert len(parts) == 4, line
            name, typ = parts[2], parts[3]
            assert typ in ("counter", "gauge", "histogram"), line
            assert name not in types, f"TYPE twice: {name}"
            assert name.startswith("dbward_"), line
            assert typ != "counter" or name.endswith("_total"), f"counter without _total: {name}"
            types[name] = typ
            continue
        assert not line.startswith("#") and line.strip() == line and line, f"bad line {line!r}"
        m = SAMPLE.match(line)
        assert m, f"bad sample {line!r}"
        name, labels = m.group(1), parse_labels(m.group(2) or "", line)
        family = name
        if name not in types:
            for suf in HIST_SUFFIXES:
                if name.endswith(suf) and types.get(name[:-len(suf)]) == "histogram":
                    family = name[:-len(suf)]
        assert family in types, f"sample without a TYPE: {line!r}"
        if types[family] == "histogram":
            assert family != name, f"bare histogram sample: {line!r}"
            assert ("le" in labels) == name.endswith("_bucket"), line
        value = float(m.group(3))
        assert not math.isnan(value), line
        key = (name, frozenset(labels.items()))
        assert key not in samples, f"duplicate sample {line!r}"
        samples[key] = value
    assert helps == set(types), "HELP and TYPE lines differ"
    # Histograms: cumulative buckets ending in +Inf == _count, with a _sum.
    for fam, typ in types.items():
        if typ != "histogram":
            continue
        series = {}
        for (name, labels), v in samples.items():
            if name == fam + "_bucket":
                d = dict(labels)
                le = d.pop("le")
                series.setdefault(frozenset(d.items()), []).append(
                    (math.inf if le == "+Inf" else float(le), v))
        assert series, f"histogram {fam} has no buckets"
        for labels, buckets in series.items():
            buckets.sort()
            assert buckets[-1][0] == math.inf, f"{fam}: no +Inf bucket"
            counts = [v for _, v in buckets]
            assert counts == sorted(counts), f"{fam}{dict(labels)}: buckets not cumulative"
            assert samples[(fam + "_count", labels)] == counts[-1], f"{fam}: _count != +Inf"
            assert (fam + "_sum", labels) in samples, f"{fam}: no _sum"
    return samples, types


class Metrics:
    def __init__(self, port):
        r = fetch(port, "/metrics")
        assert r.status == 200, r.body
        assert r.header("Content-Type").startswith("text/plain; version=0.0.4"), r.headers
        self.text = r.body
        self.samples, self.types = parse_metrics(r.body)

    def get(self, name, **labels):
        key = (name, frozenset(labels.items()))
        assert key in self.samples, f"no sample {name}{labels}"
        return self.samples[key]

    def series(self, name):
        return {k[1]: v for k, v in self.samples.items() if k[0] == name}


def stmt(m, protocol, cls, outcome):
    return m.get("dbward_statements_total", protocol=protocol, **{"class": cls}, outcome=outcome)


# ---- setup ----

def config(pg, maria, tls_files, admin_port, audit_dir, **extra):
    cfg = {
        "workers": 2,
        "listeners": [
            {"name": "pg", "protocol": "postgres", "listen": f"127.0.0.1:{free_port()}",
             "backend": "pg-main",
             "tls": {"mode": "prefer", "cert_file": tls_files.cert, "key_file": tls_files.key}},
            {"name": "my", "protocol": "mysql", "listen": f"127.0.0.1:{free_port()}",
             "backend": "maria-main",
             "tls": {"mode": "prefer", "cert_file": tls_files.cert, "key_file": tls_files.key}},
        ],
        "backends": [
            {"name": "pg-main", "protocol": "postgres", "address": f"{pg.host}:{pg.port}",
             "pool": {"mode": "transaction", "size": 10}},
            {"name": "maria-main", "protocol": "mysql", "address": f"{maria.host}:{maria.port}",
             "tls": {"mode": "disable"}, "pool": {"mode": "transaction", "size": 10}},
        ],
        "users": [
            {"name": APP_USER, "password": APP_PASSWORD},
            {"name": LIMITED_USER, "password": LIMITED_PASSWORD, "backend_user": APP_USER,
             "backend_password": APP_PASSWORD},
        ],
        "timeouts": {"connect": "5s", "login": "10s", "pool_wait": "5s", "query": "1s"},
        "policies": [{"name": "no-ddl", "match": {}, "statements": {"deny": ["ddl"]}}],
        "rate_limits": [{"match": {"user": LIMITED_USER}, "key": "user",
                         "queries_per_second": 1, "burst": 1}],
        "audit": {"path": str(audit_dir / "audit.jsonl"), "fsync": "interval",
                  "fsync_interval": "100ms"},
        "admin": {"listen": f"127.0.0.1:{admin_port}"},
    }
    cfg.update(extra)
    return cfg


@pytest.fixture
def proxy(pg_server, maria_server, tls_files, start_dbward, tmp_path):
    d = tmp_path / "audit"
    d.mkdir(mode=0o750)
    admin_port = free_port()
    p = start_dbward(to_yaml(config(pg_server, maria_server, tls_files, admin_port, d)))
    p.admin_port = admin_port
    p.my_port = p.ports[1]
    return p


def pg_connect(proxy, user=APP_USER, password=APP_PASSWORD, **kw):
    conn = psycopg2.connect(host=proxy.host, port=proxy.port, user=user, password=password,
                            dbname="app", connect_timeout=10, **kw)
    conn.autocommit = True
    return conn


def my_connect(proxy, user=APP_USER, password=APP_PASSWORD, **kw):
    return pymysql.connect(host=proxy.host, port=proxy.my_port, user=user, password=password,
                           database="app", connect_timeout=10, read_timeout=30, autocommit=True,
                           **kw)


def run(conn, sql):
    """Rows, or the error code (SQLSTATE / errno) the statement got."""
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else []
    except psycopg2.Error as e:
        return e.pgcode
    except pymysql.err.MySQLError as e:
        return e.args[0]


def no_secrets(body):
    for secret in (APP_PASSWORD, LIMITED_PASSWORD):
        assert secret not in body


# ---- tests ----

def test_metrics_move_with_traffic(proxy):
    port = proxy.admin_port
    m0 = Metrics(port)
    assert m0.get("dbward_build_info", version=m0.text.split('version="')[1].split('"')[0]) == 1
    with open(proxy.config_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    assert m0.get("dbward_config_info", hash=digest) == 1
    assert abs(m0.get("dbward_process_start_time_seconds") - time.time()) < 120
    for b in ("pg-main", "maria-main"):
        assert m0.get("dbward_backend_circuit_state", backend=b) == 0

    # PostgreSQL over TLS: successes, a failure, a policy block, a timeout.
    pg = pg_connect(proxy, sslmode="require")
    assert [run(pg, "SELECT 1") for _ in range(3)] == [[(1,)]] * 3
    assert run(pg, "SELECT 1/0") == "22012"
    assert run(pg, "CREATE TABLE admin_metrics_t (a int)") == "42501"
    assert run(pg, "SELECT pg_sleep(3)") == "57014"
    assert run(pg, "SELECT 2") == [(2,)]
    # MySQL over TLS: the same story.
    my = my_connect(proxy, ssl={"ca": None})
    assert [run(my, "SELECT 1") for _ in range(3)] == [((1,),)] * 3
    assert run(my, "SELECT * FROM no_such_table_xyz") == 1146
    assert run(my, "DROP TABLE admin_metrics_t") == 1227
    assert run(my, "SELECT SLEEP(3)") == 1969
    assert run(my, "SELECT 2") == ((2,),)
    # A rate limit: one statement per second for this user.
    lim = pg_connect(proxy, user=LIMITED_USER, password=LIMITED_PASSWORD, sslmode="disable")
    results = [run(lim, "SELECT 1") for _ in range(3)]
    assert results[0] == [(1,)] and "53400" in results, results
    refused = results.count("53400")
    # A wrong password, and a TLS handshake that fails.
    with pytest.raises(psycopg2.OperationalError):
        pg_connect(proxy, password="wrong-password", sslmode="disable")
    with socket.create_connection((proxy.host, proxy.port), timeout=5) as s:
        s.sendall(struct.pack("!II", 8, 80877103))
        assert s.recv(1) == b"S"
        s.sendall(b"\x16\x03\x01\x00\x05not-a-client-hello")
        s.settimeout(5)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass

    m1 = Metrics(port)
    assert m1.get("dbward_client_connections", listener="pg") >= 2
    assert m1.get("dbward_client_connections", listener="my") >= 1

    def delta(name, **labels):
        return m1.get(name, **labels) - m0.get(name, **labels)

    def dstmt(protocol, cls, outcome):
        return stmt(m1, protocol, cls, outcome) - stmt(m0, protocol, cls, outcome)

    assert dstmt("postgres", "read", "success") >= 4 + 1  # and the limited user's first
    assert dstmt("postgres", "read", "failure") == 1
    assert dstmt("postgres", "admin", "blocked") == 1
    assert dstmt("postgres", "read", "timeout") == 1
    assert dstmt("postgres", "read", "rate_limited") == refused
    assert dstmt("mysql", "read", "success") >= 4
    assert dstmt("mysql", "read", "failure") == 1
    assert dstmt("mysql", "admin", "blocked") == 1
    assert dstmt("mysql", "read", "timeout") == 1
    assert delta("dbward_policy_blocks_total", rule="statements") == 2
    assert delta("dbward_timeouts_total", timeout="query") == 2
    assert delta("dbward_rate_limit_rejections_total", limit="queries_per_second") == refused
    assert delta("dbward_client_connections_accepted_total", listener="pg") >= 4
    assert delta("dbward_client_connections_accepted_total", listener="my") >= 1
    assert delta("dbward_client_connections_refused_total", listener="pg",
                 reason="login_failed") == 1
    assert delta("dbward_tls_handshakes_total", listener="pg", result="success") >= 1
    assert delta("dbward_tls_handshakes_total", listener="pg", result="failure") == 1
    assert delta("dbward_tls_handshakes_total", listener="my", result="success") == 1
    assert delta("dbward_tls_handshakes_total", listener="my", result="failure") == 0
    # Every statement that reached a server is in the latency histogram; the
    # two timeouts took about a second each.
    for protocol, ran in (("postgres", 7), ("mysql", 6)):
        assert delta("dbward_statement_duration_seconds_count", protocol=protocol) >= ran
        # (about a second: libevent arms timers from its cached loop time)
        assert delta("dbward_statement_duration_seconds_sum", protocol=protocol) >= 0.95
        assert delta("dbward_statement_duration_seconds_bucket", protocol=protocol,
                     le="0.5") >= ran - 1
    # The pools and the audit trail.
    assert wait_for(lambda: Metrics(port).get("dbward_audit_records_written_total")
                    > m0.get("dbward_audit_records_written_total"))
    pools = m1.series("dbward_pool_size")
    keys = {(dict(k)["backend"], dict(k)["user"], dict(k)["database"]) for k in pools}
    assert ("pg-main", "app", "app") in keys and ("maria-main", "app", "app") in keys, keys
    idle = m1.get("dbward_pool_idle_connections", backend="pg-main", user="app", database="app")
    active = m1.get("dbward_pool_active_connections", backend="pg-main", user="app",
                    database="app")
    assert idle + active >= 1
    assert m1.get("dbward_pool_stats_complete") == 1
    no_secrets(m1.text)
    for c in (pg, my, lim):
        c.close()


def test_health_pools_and_sessions(proxy):
    port = proxy.admin_port
    r = fetch(port, "/healthz")
    assert (r.status, r.body) == (200, "ok\n")
    r = fetch(port, "/readyz")
    assert (r.status, r.body) == (200, "ok\n")

    pg = pg_connect(proxy, sslmode="require")
    my = my_connect(proxy)
    assert run(pg, "SELECT 1") == [(1,)] and run(my, "SELECT 1") == ((1,),)
    pg_local = socket.socket(fileno=os.dup(pg.fileno())).getsockname()[1]
    my_local = my._sock.getsockname()[1]

    r = fetch(port, "/pools")
    assert r.status == 200 and r.header("Content-Type") == "application/json"
    pools = json.loads(r.body)
    assert isinstance(pools, list) and pools
    fields = {"backend", "user", "database", "mode", "size", "active", "idle", "connecting",
              "waiting"}
    for p in pools:
        assert set(p) == fields, p
        assert all(isinstance(p[k], int) for k in ("size", "active", "idle", "connecting",
                                                   "waiting")), p
    mine = {(p["backend"], p["user"], p["database"]): p for p in pools}
    assert mine[("pg-main", "app", "app")]["mode"] == "transaction"
    assert mine[("pg-main", "app", "app")]["size"] == 10
    assert mine[("maria-main", "app", "app")]["idle"] + \
        mine[("maria-main", "app", "app")]["active"] >= 1

    # A statement running now shows in its session.
    done = threading.Event()
    t = threading.Thread(target=lambda: (run(pg, "SELECT pg_sleep(0.8)"), done.set()))
    t.start()

    def sessions():
        r = fetch(port, "/sessions")
        assert r.status == 200 and r.header("Content-Type") == "application/json"
        no_secrets(r.body)
        return json.loads(r.body)

    def pg_row():
        return next((s for s in sessions() if s["client"] == f"127.0.0.1:{pg_local}"), None)

    assert wait_for(lambda: (pg_row() or {}).get("statement_running") is True, 5)
    t.join()
    assert done.is_set()
    rows = sessions()
    fields = {"id", "worker", "listener", "protocol", "user", "database", "client", "tls",
              "state", "connected_at", "server_attached", "statement_running"}
    for s in rows:
        assert set(s) == fields, s
    p = next(s for s in rows if s["client"] == f"127.0.0.1:{pg_local}")
    assert (p["listener"], p["protocol"], p["user"], p["database"], p["tls"]) == \
        ("pg", "postgres", "app", "app", True)
    assert p["state"] == "idle" and p["statement_running"] is False
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", p["connected_at"])
    m = next(s for s in rows if s["client"] == f"127.0.0.1:{my_local}")
    assert (m["listener"], m["protocol"], m["user"], m["database"], m["tls"]) == \
        ("my", "mysql", "app", "app", False)
    assert len({s["id"] for s in rows}) == len(rows)
    # A client that has not logged in yet is there too, without a user.
    with socket.create_connection((proxy.host, proxy.port), timeout=5) as raw:
        raw_port = raw.getsockname()[1]
        assert wait_for(lambda: any(s["client"] == f"127.0.0.1:{raw_port}" and s["user"] is None
                                    and s["state"] == "login" for s in sessions()), 5)
    pg.close()
    my.close()
    assert wait_for(lambda: all(s["client"] != f"127.0.0.1:{pg_local}" for s in sessions()))
    for path in ("/healthz", "/readyz", "/metrics", "/pools"):
        no_secrets(fetch(port, path).body)


def test_not_found_methods_and_bounds(proxy):
    port = proxy.admin_port
    for path in ("/", "/metric", "/metrics/", "/sessions/1", "/../metrics"):
        r = fetch(port, path)
        assert r.status == 404, (path, r.status)
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        r = fetch(port, "/metrics", method=method, body=b"x" if method != "OPTIONS" else None)
        assert r.status == 405, (method, r.status)
        assert r.header("Allow") == "GET, HEAD"
    assert fetch(port, "/metrics?name=x").status == 200
    r = fetch(port, "/healthz", method="HEAD")
    assert r.status == 200 and r.body == ""
    # Oversized headers and bodies are refused, not buffered.
    assert fetch(port, "/healthz", headers={"X-Big": "a" * 20000}).status == 400
    assert fetch(port, "/healthz", method="POST", body=b"b" * 100000).status == 413
    assert fetch(port, "/healthz", method="POST", body=b"b" * 4000).status == 405
    # A client that sends half a request and goes quiet does not block others.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        assert fetch(port, "/healthz").status == 200
    # Garbage is answered (or dropped) and the endpoint carries on.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"\x00\x01\x02 \xff\r\n\r\n")
        s.settimeout(5)
        try:
            s.recv(1024)
        except OSError:
            pass
    assert fetch(port, "/healthz").status == 200
    assert proxy.alive()


def test_readyz_503_when_the_only_backend_is_down(start_dbward):
    admin_port = free_port()
    down = free_port()  # nothing listens there
    cfg = {
        "workers": 1,
        "listeners": [{"name": "pg", "protocol": "postgres", "listen": f"127.0.0.1:{free_port()}",
                       "backend": "pg-down"}],
        "backends": [{"name": "pg-down", "protocol": "postgres", "address": f"127.0.0.1:{down}",
                      "health_check": {"interval": "100ms"},
                      "circuit_breaker": {"failures": 1, "reset_after": "60s"}}],
        "users": [{"name": APP_USER, "password": APP_PASSWORD}],
        "admin": {"listen": f"127.0.0.1:{admin_port}"},
    }
    proxy = start_dbward(to_yaml(cfg))
    assert fetch(admin_port, "/healthz").status == 200

    def readyz():
        return fetch(admin_port, "/readyz")

    assert wait_for(lambda: readyz().status == 503, 10)
    r = readyz()
    assert r.body == "not ready: no backend is reachable (circuit open: pg-down)\n", r.body
    m = Metrics(admin_port)
    assert m.get("dbward_backend_circuit_state", backend="pg-down") == 2
    assert m.get("dbward_backend_circuit_opened_total", backend="pg-down") >= 1
    assert m.get("dbward_backend_connect_failures_total", backend="pg-down") >= 1
    assert fetch(admin_port, "/healthz").status == 200
    assert proxy.alive()


def test_bind_failure_stops_dbward(pg_server, tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    cfg = {
        "workers": 1,
        "listeners": [{"name": "pg", "protocol": "postgres", "listen": f"127.0.0.1:{free_port()}",
                       "backend": "pg-main"}],
        "backends": [{"name": "pg-main", "protocol": "postgres",
                      "address": f"{pg_server.host}:{pg_server.port}"}],
        "users": [{"name": APP_USER, "password": APP_PASSWORD}],
        "admin": {"listen": f"127.0.0.1:{port}"},
    }
    path = tmp_path / "dbward.yaml"
    path.write_text(to_yaml(cfg) + "\n")
    path.chmod(0o600)
    try:
        res = subprocess.run([dbward_bin(), "-c", str(path)], capture_output=True, text=True,
                             timeout=30)
    finally:
        taken.close()
    assert res.returncode == 1, res.stderr
    assert f"admin: cannot listen on 127.0.0.1:{port}: Address already in use" in res.stderr
    assert "startup failed" in res.stderr
    assert not any(m in res.stderr for m in ("AddressSanitizer", "LeakSanitizer", "runtime error"))


def test_config_errors_are_reported_with_their_place(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "listeners:\n"
        "  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: db }\n"
        "backends:\n"
        "  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }\n"
        "admin:\n"
        "  listen: 127.0.0.1:99999\n")
    res = subprocess.run([dbward_bin(), "--check-config", str(path)], capture_output=True,
                         text=True, timeout=30)
    assert res.returncode == 2
    assert f"{path}:6:11: admin.listen: invalid address \"127.0.0.1:99999\": port must be " \
        "between 1 and 65535" in res.stdout, res.stdout


def test_statements_counted_without_audit_policy_or_time_limits(pg_server, maria_server,
                                                               tls_files, start_dbward,
                                                               tmp_path):
    """The statement counters hang on the relays, not on the audit trail or
    the time limits: with neither, classes and outcomes are still right."""
    admin_port = free_port()
    cfg = config(pg_server, maria_server, tls_files, admin_port, tmp_path,
                 timeouts={"connect": "5s", "login": "10s", "pool_wait": "5s", "query": "0",
                           "write": "0", "admin": "0", "long_query": "0"})
    for key in ("audit", "policies", "rate_limits"):
        del cfg[key]
    proxy = start_dbward(to_yaml(cfg))
    proxy.my_port = proxy.ports[1]
    m0 = Metrics(admin_port)
    pg = pg_connect(proxy, sslmode="disable")
    assert run(pg, "CREATE TEMP TABLE admin_t (a int)") == []
    assert run(pg, "INSERT INTO admin_t VALUES (1), (2)") == []
    assert run(pg, "SELECT count(*) FROM admin_t") == [(2,)]
    # The extended protocol: each Execute counts, with the class of what its
    # Parse prepared; after a failed one its batch is skipped and fails too.
    w = WireConn(proxy.host, proxy.port)
    w.login(APP_USER, APP_PASSWORD, "app")
    batch = parse_msg("", "SELECT 10 / $1::int")
    for i in (1, 2, 5):
        batch += bind_msg("", "", [i]) + execute_msg()
    w.send(batch + SYNC)
    assert [v for k, v in w.collect(1) if k == b"D"] == [("10",), ("5",), ("2",)]
    w.send(parse_msg("", "SELECT 10 / $1::int") + bind_msg("", "", [0]) + execute_msg() +
           bind_msg("", "", [1]) + execute_msg() + SYNC)
    assert [v["C"] for k, v in w.collect(1) if k == b"E"] == ["22012"]
    w.close()
    my = my_connect(proxy)
    assert run(my, "SELECT 1") == ((1,),)
    assert run(my, "UPDATE no_such_table_xyz SET a = 1") == 1146
    m1 = Metrics(admin_port)

    def dstmt(protocol, cls, outcome):
        return stmt(m1, protocol, cls, outcome) - stmt(m0, protocol, cls, outcome)

    assert dstmt("postgres", "admin", "success") == 1
    assert dstmt("postgres", "write", "success") == 1
    assert dstmt("postgres", "read", "success") == 1 + 3
    assert dstmt("postgres", "read", "failure") == 2
    assert dstmt("mysql", "read", "success") == 1
    assert dstmt("mysql", "write", "failure") == 1
    assert m1.get("dbward_audit_records_written_total") == 0
    pg.close()
    my.close()
