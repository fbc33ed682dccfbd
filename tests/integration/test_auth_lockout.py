"""Login lockout (`auth_failures`) through dbward with real clients: after
`max` failed logins of one (client address, user), that pair is refused even
with the right password, with exactly the answer a wrong password gets
(28P01 / 1045 28000); other users are not affected; once the lockout is over
the right password works again. Failed logins and lockouts are `auth`
records in the audit trail, the password never is."""
import json
import time

import psycopg2
import pymysql
import pytest

import my_wire
import pg_wire
from dbward_helpers import my_config, pg_config, to_yaml, wait_for
from servers import APP_PASSWORD, APP_USER

OTHER, OTHER_PASSWORD = "other", "other-Pw-42"
WRONG = "wrong-Pw-9d1"
LOCKOUT = 2.0


def users():
    return [{"name": APP_USER, "password": APP_PASSWORD},
            {"name": OTHER, "password": OTHER_PASSWORD, "backend_user": APP_USER,
             "backend_password": APP_PASSWORD}]


def start(kind, server, start_dbward, tmp_path, auth_failures):
    cfg = (pg_config if kind == "pg" else my_config)(server, users=users())
    if auth_failures is not None:
        cfg["auth_failures"] = auth_failures
    d = tmp_path / "audit"
    d.mkdir(mode=0o750)
    path = d / "audit.jsonl"
    cfg["audit"] = {"path": str(path), "fsync": "interval", "fsync_interval": "50ms"}
    return start_dbward(to_yaml(cfg)), path


def login(kind, proxy, user=APP_USER, password=APP_PASSWORD):
    """None when the login worked, else what the driver raised: the
    message (PostgreSQL) or (errno, message) (MySQL)."""
    try:
        if kind == "pg":
            psycopg2.connect(**proxy.dsn(user=user, password=password)).close()
        else:
            pymysql.connect(host=proxy.host, port=proxy.port, user=user, password=password,
                            database="app", connect_timeout=10).close()
        return None
    except psycopg2.OperationalError as e:
        return str(e)
    except pymysql.err.OperationalError as e:
        return e.args


def raw_login_error(kind, proxy, user=APP_USER, password=APP_PASSWORD):
    """The error on the wire: (SQLSTATE, message) or (errno, SQLSTATE, message)."""
    if kind == "pg":
        c = pg_wire.WireConn(proxy.host, proxy.port)
        try:
            c.login(user, password, "app")
            return None
        except pg_wire.ServerError as e:
            return (e.sqlstate, e.fields.get("M"))
        finally:
            c.close()
    c = my_wire.MyConn(proxy.host, proxy.port)
    try:
        c.login(user, password)
        return None
    except my_wire.ServerError as e:
        return (e.code, e.sqlstate, e.message)
    finally:
        c.close()


def records(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


@pytest.mark.parametrize("kind", ["pg", "my"])
def test_lockout_after_failed_logins(kind, pg_server, maria_server, start_dbward, tmp_path):
    server = pg_server if kind == "pg" else maria_server
    proxy, path = start(kind, server, start_dbward, tmp_path,
                        {"max": 5, "window": "1m", "lockout": f"{int(LOCKOUT * 1000)}ms"})
    assert login(kind, proxy) is None
    wrong = [login(kind, proxy, password=WRONG) for _ in range(5)]
    locked_at = time.monotonic()
    assert all(w is not None for w in wrong)
    if kind == "pg":
        assert all('password authentication failed for user "app"' in w for w in wrong), wrong
    else:
        assert all(w[0] == 1045 and w[1].startswith("Access denied for user 'app'") for w in wrong)

    # The right password now gets the very answer a wrong one gets.
    right = login(kind, proxy)
    assert right == wrong[0], (right, wrong[0])
    expect = ("28P01",) if kind == "pg" else (1045, "28000")
    on_wire = raw_login_error(kind, proxy)
    assert on_wire is not None and on_wire[:len(expect)] == expect, on_wire
    assert on_wire == raw_login_error(kind, proxy, password=WRONG)
    # Another user from the same address is not affected.
    assert login(kind, proxy, user=OTHER, password=OTHER_PASSWORD) is None

    # Still locked a while later; over after the lockout.
    time.sleep(max(0.0, locked_at + LOCKOUT / 2 - time.monotonic()))
    assert login(kind, proxy) == wrong[0]
    time.sleep(max(0.0, locked_at + LOCKOUT + 0.3 - time.monotonic()))
    assert login(kind, proxy) is None

    assert wait_for(lambda: len([r for r in records(path) if r["event"] == "auth"]) >= 12)
    recs = records(path)
    auth = [r for r in recs if r["event"] == "auth" and r.get("user") == APP_USER]
    failed = [r for r in auth if r["action"] == "login_failed"]
    locked = [r for r in auth if r["action"] == "locked_out"]
    assert len(failed) == 5, [(r["action"], r.get("reason")) for r in auth]
    # Records of sessions on different workers may interleave: count, not order.
    assert sorted(r["severity"] for r in failed) == ["critical"] + ["warning"] * 4
    tripped = [r for r in failed if r["severity"] == "critical"][0]
    assert tripped["rule"] == "auth_failures" and "locked out for 2s" in tripped["reason"]
    # Every attempt during the lockout, right password or wrong, is a locked_out.
    assert len(locked) == 4
    assert all(r["outcome"] == "failure" and r["severity"] == "warning" and
               r["rule"] == "auth_failures" and "after 5 failed logins within 1m" in r["reason"]
               for r in locked)
    # The operator learns that the right password came during the lockout.
    assert sorted(r["reason"].rsplit(" ", 1)[1] for r in locked) == ["right"] * 3 + ["wrong"]
    assert [r["action"] for r in auth].count("login") == 2
    text = path.read_text()
    assert APP_PASSWORD not in text and WRONG not in text and OTHER_PASSWORD not in text


def test_lockout_is_on_by_default(pg_server, start_dbward, tmp_path):
    """Without an auth_failures section: 5 failures lock the pair (for 5m)."""
    proxy, _ = start("pg", pg_server, start_dbward, tmp_path, None)
    for _ in range(4):
        assert raw_login_error("pg", proxy, password=WRONG)[0] == "28P01"
    assert raw_login_error("pg", proxy) is None, "4 failures do not lock"
    for _ in range(5):
        assert raw_login_error("pg", proxy, password=WRONG)[0] == "28P01"
    assert raw_login_error("pg", proxy)[0] == "28P01"
    assert raw_login_error("pg", proxy, user=OTHER, password=OTHER_PASSWORD) is None


def test_lockout_off(maria_server, start_dbward, tmp_path):
    """max: 0 turns it off."""
    proxy, _ = start("my", maria_server, start_dbward, tmp_path, {"max": 0})
    for _ in range(8):
        assert login("my", proxy, password=WRONG)[0] == 1045
    assert login("my", proxy) is None
