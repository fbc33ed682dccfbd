"""Rate limits through dbward with real clients (psycopg2, PyMySQL) against
PostgreSQL and MariaDB: statements past queries_per_second get 53400 / 1226
and the session carries on; `action: delay` holds them instead;
max_concurrent_queries counts statements in flight across sessions;
connections_per_second refuses new connections with 53300 / 1040. Every
refusal is an audit record carrying the ref the client saw."""
import json
import re
import threading
import time
from types import SimpleNamespace

import psycopg2
import pymysql
import pytest

from dbward_helpers import my_config, pg_config, to_yaml, wait_for
from pg_wire import SYNC, ServerError, WireConn, bind_msg, execute_msg, parse_msg
from servers import APP_PASSWORD, APP_USER

REF = re.compile(r"\(ref ([0-9a-f]+-[0-9a-f]+-[0-9a-f]+)\)$")


def start(p, start_dbward, limits, audit_path=None, **kw):
    make = pg_config if p.kind == "pg" else my_config
    cfg = make(p.server, **kw)
    cfg["rate_limits"] = limits
    if audit_path:
        cfg["audit"] = {"path": str(audit_path), "fsync": "interval", "fsync_interval": "50ms"}
    return start_dbward(to_yaml(cfg))


@pytest.fixture(params=["pg", "my"])
def proto(request, pg_server, maria_server):
    """Each test runs on both protocols: kind "pg" or "my", and its server."""
    return SimpleNamespace(kind=request.param,
                           server=pg_server if request.param == "pg" else maria_server)


class Err:
    """An error a statement got: CODE is the SQLSTATE (PostgreSQL) or the
    errno (MySQL), MESSAGE the primary message."""

    def __init__(self, code, message):
        self.code, self.message = code, message

    def __repr__(self):
        return f"Err({self.code!r}, {self.message!r})"


def failed(r):
    return isinstance(r, Err)


def values(rows):
    return [tuple(row) for row in rows]


class Client:
    """One session through dbward, whichever the protocol; `run` returns
    the rows or an Err."""

    def __init__(self, kind, proxy, **kw):
        self.kind = kind
        if kind == "pg":
            self.conn = proxy.connect(**kw)
            self.conn.autocommit = True
        else:
            args = dict(host=proxy.host, port=proxy.port, user=APP_USER, password=APP_PASSWORD,
                        database="app", connect_timeout=10, read_timeout=30, autocommit=True)
            args.update(kw)
            self.conn = pymysql.connect(**args)

    def run(self, sql, args=None):
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql, args)
                return cur.fetchall() if cur.description else []
        except psycopg2.Error as e:
            return Err(e.pgcode, e.diag.message_primary or str(e))
        except pymysql.err.MySQLError as e:
            return Err(e.args[0], e.args[1])

    def close(self):
        self.conn.close()


def rate_code(kind):
    return "53400" if kind == "pg" else 1226


def sleep_sql(kind, seconds):
    return f"SELECT pg_sleep({seconds})" if kind == "pg" else f"SELECT SLEEP({seconds})"


def audit_records(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def burst(client, n, value=1):
    """N statements back to back; returns (results, seconds taken)."""
    t0 = time.monotonic()
    out = [client.run("SELECT %s", (value + i,)) for i in range(n)]
    return out, time.monotonic() - t0


def test_query_rate_burst_refusals_and_refill(proto, start_dbward, tmp_path):
    kind = proto.kind
    d = tmp_path / "audit"
    d.mkdir(mode=0o750)
    path = d / "audit.jsonl"
    proxy = start(proto, start_dbward,
                  [{"match": {"user": APP_USER}, "key": "user", "queries_per_second": 20,
                    "burst": 20}], audit_path=path)
    c = Client(kind, proxy)
    results, took = burst(c, 80)
    ok = [r for r in results if not failed(r)]
    refused = [r for r in results if failed(r)]
    assert len(ok) >= 20, results[:25]
    # Nothing else failed: every refusal is the rate limit's, and says so.
    assert all(r.code == rate_code(kind) for r in refused), refused[:3]
    assert all(r.message.startswith("dbward: rate limit exceeded: more than 20 statements per "
                                    'second (burst 20) for user "app" (ref ') for r in refused), refused[:3]
    assert all(REF.search(r.message) for r in refused), refused[:3]
    # No more than the burst plus what refilled while they ran.
    assert len(ok) <= 20 + int(took * 20) + 1, (len(ok), took)
    assert len(refused) == 80 - len(ok) and refused, (len(ok), took)
    # Each statement that went through answered its own value.
    got = [values(r)[0][0] for r in ok]
    assert got == sorted(got) and len(set(got)) == len(got)

    # A second later the bucket is full again: the same session goes on.
    time.sleep(1.1)
    again, took = burst(c, 20, value=1000)
    assert [values(r) for r in again] == [[(1000 + i,)] for i in range(20)], again
    c.close()

    # One `security` record per refusal, with the ref its client was shown.
    refs = {REF.search(r.message).group(1) for r in refused}
    assert wait_for(lambda: len([r for r in audit_records(path)
                                 if r.get("action") == "rate_limited"]) >= len(refused))
    limited = [r for r in audit_records(path) if r.get("action") == "rate_limited"]
    assert len(limited) == len(refused)
    assert {r["ref"] for r in limited} == refs
    assert all(r["event"] == "security" and r["outcome"] == "blocked" and
               r["severity"] == "warning" and r["rule"] == "rate_limits[0].queries_per_second" and
               r["user"] == APP_USER for r in limited)


def test_refused_statement_leaves_session_usable(proto, start_dbward):
    """burst 1 at 2/s: a statement right after another is refused at once,
    and the session is in a clean state for the next, inside a transaction
    too (the refusal does not abort it)."""
    kind = proto.kind
    proxy = start(proto, start_dbward,
                  [{"key": "client_ip", "queries_per_second": 2, "burst": 1}])
    c = Client(kind, proxy)
    assert values(c.run("SELECT 1")) == [(1,)]
    err = c.run("SELECT 2")
    assert failed(err) and err.code == rate_code(kind) and "for client 127.0.0.1" in err.message, err
    # A token every 500ms.
    time.sleep(0.6)
    assert not failed(c.run("BEGIN"))
    time.sleep(0.6)
    assert values(c.run("SELECT 3")) == [(3,)]
    err = c.run("SELECT 4")
    assert failed(err) and err.code == rate_code(kind), err
    if kind == "pg":
        assert c.conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
    time.sleep(0.6)
    assert not failed(c.run("COMMIT"))
    time.sleep(0.6)
    assert values(c.run("SELECT 5")) == [(5,)]
    c.close()


def test_delay_holds_statements_instead_of_refusing(proto, start_dbward):
    kind = proto.kind
    proxy = start(proto, start_dbward,
                  [{"key": "user", "queries_per_second": 10, "burst": 1, "action": "delay",
                    "max_delay": "500ms"}])
    c = Client(kind, proxy)
    results, took = burst(c, 6)
    assert [values(r) for r in results] == [[(i,)] for i in range(1, 7)], results
    # Five of them waited their turn: 100ms apart.
    assert took >= 0.45, took

    # Past max_delay it is still a refusal: eight sessions of the user at
    # once queue up for more than 500ms worth of tokens.
    results = []
    ready = threading.Barrier(8, timeout=20)

    def run_burst():
        k = Client(kind, proxy)
        ready.wait()
        results.extend(burst(k, 3)[0])
        k.close()

    threads = [threading.Thread(target=run_burst) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    refused = [r for r in results if failed(r)]
    assert len(results) == 24
    assert refused and all(r.code == rate_code(kind) for r in refused), results
    assert len(results) - len(refused) >= 5
    c.close()


def in_flight(kind, server, marker):
    """Statements holding MARKER running on the server now (asked directly)."""
    if kind == "pg":
        conn = psycopg2.connect(host=server.host, port=server.port, user=APP_USER,
                                password=APP_PASSWORD, dbname="app")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                            "AND query LIKE %s AND pid <> pg_backend_pid()", (f"%{marker}%",))
                return cur.fetchone()[0]
        finally:
            conn.close()
    conn = pymysql.connect(host=server.host, port=server.port, user=APP_USER,
                           password=APP_PASSWORD, database="app")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM information_schema.processlist WHERE info LIKE %s "
                        "AND id <> CONNECTION_ID()", (f"%{marker}%",))
            return cur.fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("action", ["reject", "delay"])
def test_max_concurrent_queries(proto, start_dbward, action):
    kind = proto.kind
    server = proto.server
    proxy = start(proto, start_dbward,
                  [{"key": "user", "max_concurrent_queries": 1, "action": action,
                    "max_delay": "5s"}])
    a, b = Client(kind, proxy), Client(kind, proxy)
    marker = f"conc_{action}_{kind}"
    done = {}

    def long_one():
        done["a"] = a.run(sleep_sql(kind, 1.5) + f", '{marker}'")

    t = threading.Thread(target=long_one)
    t.start()
    assert wait_for(lambda: in_flight(kind, server, marker) == 1), "the long statement never ran"
    t0 = time.monotonic()
    res = b.run("SELECT 42")
    waited = time.monotonic() - t0
    t.join(30)
    assert not failed(done["a"]), done["a"]
    if action == "reject":
        assert failed(res) and res.code == rate_code(kind), res
        assert "more than 1 statements in flight for user \"app\"" in res.message, res
        assert waited < 1.0, waited
    else:
        # Held until the first one's result ended, then run.
        assert values(res) == [(42,)], res
        assert waited >= 0.5, waited
    # Once the first result ended, the slot is free for either session.
    assert values(b.run("SELECT 43")) == [(43,)]
    assert values(a.run("SELECT 44")) == [(44,)]
    a.close()
    b.close()


def pg_connect_error(proxy):
    """Logs in over the raw protocol: None, or the ErrorResponse's fields."""
    c = WireConn(proxy.host, proxy.port)
    try:
        c.login(APP_USER, APP_PASSWORD, "app")
        return None
    except ServerError as e:
        return e.fields
    finally:
        c.close()


def my_connect_error(proxy):
    try:
        Client("my", proxy).close()
        return None
    except pymysql.err.OperationalError as e:
        return e.args


@pytest.mark.parametrize("key", ["client_ip", "user"])
def test_connections_per_second(proto, start_dbward, tmp_path, key):
    """Per client address it is counted when the client connects; per user
    once the user has logged in. Either way a burst past the rate is refused."""
    kind = proto.kind
    d = tmp_path / "audit"
    d.mkdir(mode=0o750)
    path = d / "audit.jsonl"
    proxy = start(proto, start_dbward, [{"key": key, "connections_per_second": 3}],
                  audit_path=path)
    # Waiting for dbward to listen took a connection: let its token come back.
    time.sleep(0.4)
    t0 = time.monotonic()
    errors = [pg_connect_error(proxy) if kind == "pg" else my_connect_error(proxy)
              for _ in range(10)]
    took = time.monotonic() - t0
    ok = [e for e in errors if e is None]
    refused = [e for e in errors if e is not None]
    assert len(ok) >= 3 and len(ok) <= 3 + int(took * 3) + 1, (len(ok), took, refused)
    assert refused, took
    want = "for client 127.0.0.1" if key == "client_ip" else 'for user "app"'
    for e in refused:
        if kind == "pg":
            assert e["C"] == "53300" and e["S"] == "FATAL", e
            msg = e["M"]
        else:
            assert e[0] == 1040, e
            msg = e[1]
        assert msg.startswith("dbward: too many connections: more than 3 new connections per "
                              "second " + want), msg
        assert REF.search(msg), msg
    assert wait_for(lambda: len([r for r in audit_records(path)
                                 if r.get("action") == "rate_limited"]) >= len(refused))
    limited = [r for r in audit_records(path) if r.get("action") == "rate_limited"]
    assert len(limited) == len(refused)
    assert all(r["rule"] == "rate_limits[0].connections_per_second" for r in limited)
    # A second later, connections are welcome again.
    time.sleep(1.1)
    assert (pg_connect_error(proxy) if kind == "pg" else my_connect_error(proxy)) is None


def test_other_users_and_exempt_entries_are_not_limited(proto, start_dbward):
    """The first entry that fits applies: an entry without limits exempts
    `report`; `app` has its own bucket, so `report` never runs into it."""
    kind = proto.kind
    users = [{"name": APP_USER, "password": APP_PASSWORD},
             {"name": "report", "password": "report-Pw-1", "backend_user": APP_USER,
              "backend_password": APP_PASSWORD}]
    proxy = start(proto, start_dbward,
                  [{"match": {"user": "report"}},
                   {"key": "user", "queries_per_second": 2, "burst": 2}], users=users)
    app = Client(kind, proxy)
    report = Client(kind, proxy, user="report", password="report-Pw-1")
    assert [failed(r) for r in burst(app, 4)[0]] == [False, False, True, True]
    results, _ = burst(report, 30)
    assert not any(failed(r) for r in results), results
    app.close()
    report.close()


def test_pg_extended_protocol_counts_each_execute(pg_server, start_dbward):
    """A pipelined batch: each Execute takes a token. The one past the burst
    gets 53400, the rest of its batch is skipped up to Sync (as the server
    does after an error), and the next batch runs."""
    proxy = start(SimpleNamespace(kind="pg", server=pg_server), start_dbward,
                  [{"key": "user", "queries_per_second": 2, "burst": 3}])
    c = WireConn(proxy.host, proxy.port)
    c.login(APP_USER, APP_PASSWORD, "app")
    batch = parse_msg("", "SELECT $1::int")
    for i in range(5):
        batch += bind_msg("", "", [i]) + execute_msg()
    c.send(batch + SYNC)
    got = c.collect(1)
    kinds = b"".join(k for k, _ in got)
    assert kinds == b"12DC2DC2DC2EZ", got
    assert [v for k, v in got if k == b"D"] == [("0",), ("1",), ("2",)]
    err = [v for k, v in got if k == b"E"][0]
    assert err["C"] == "53400" and err["S"] == "ERROR", err
    assert err["M"].startswith("dbward: rate limit exceeded: more than 2 statements per second "
                               "(burst 3)"), err
    assert got[-1] == (b"Z", b"I")
    # One token every 500ms: the next batch runs.
    time.sleep(0.6)
    c.send(parse_msg("", "SELECT 7") + bind_msg("", "") + execute_msg() + SYNC)
    got = c.collect(1)
    assert [v for k, v in got if k == b"D"] == [("7",)], got
    c.close()
