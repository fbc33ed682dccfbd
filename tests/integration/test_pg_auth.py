"""Client authentication at dbward (SCRAM by default, md5 / cleartext when a
user is configured for them) and dbward's own login to the server."""
import asyncio

import asyncpg
import psycopg2
import pytest

from dbward_helpers import app_user, pg_config
from pg_wire import (AUTH_CLEARTEXT, AUTH_MD5, AUTH_SASL, ServerError, WireConn)
from servers import (APP_PASSWORD, CLEAR_PASSWORD, CLEAR_USER, MD5_PASSWORD, MD5_USER)


def assert_password_failure(exc):
    msg = str(exc)
    assert "password authentication failed" in msg or getattr(exc, "pgcode", None) == "28P01", msg


def test_wrong_password_psycopg2(pg_proxy):
    with pytest.raises(psycopg2.OperationalError) as exc:
        pg_proxy.connect(password="wrong-password")
    assert_password_failure(exc.value)
    # and the right one still works afterwards
    pg_proxy.connect().close()


def test_unknown_user_psycopg2(pg_proxy):
    with pytest.raises(psycopg2.OperationalError) as exc:
        pg_proxy.connect(user="nobody_here", password="whatever")
    assert_password_failure(exc.value)


def _asyncpg_connect(proxy, user="app", password=APP_PASSWORD):
    async def go():
        conn = await asyncpg.connect(host=proxy.host, port=proxy.port, user=user,
                                     password=password, database="app", timeout=10)
        await conn.close()
    asyncio.run(asyncio.wait_for(go(), 30))


def test_wrong_password_asyncpg(pg_proxy):
    with pytest.raises(asyncpg.InvalidPasswordError):
        _asyncpg_connect(pg_proxy, password="wrong-password")
    _asyncpg_connect(pg_proxy)


def test_unknown_user_asyncpg(pg_proxy):
    with pytest.raises(asyncpg.InvalidPasswordError):
        _asyncpg_connect(pg_proxy, user="nobody_here")


def test_wrong_password_raw_sqlstate(pg_proxy):
    c = WireConn(pg_proxy.host, pg_proxy.port)
    with pytest.raises(ServerError) as exc:
        c.login("app", "wrong-password", "app")
    assert exc.value.sqlstate == "28P01"
    assert c.read_until_closed() == b""


def _auth_code(proxy, user, password):
    c = WireConn(proxy.host, proxy.port)
    c.login(user, password, "app")
    assert c.query("SELECT current_user") == [(user,)]
    c.close()
    return c.auth_codes[0]


def test_auth_methods_per_user(pg_server, start_dbward):
    users = [
        app_user(),                                        # default: scram-sha-256
        app_user("md5", name=MD5_USER, password=MD5_PASSWORD),
        app_user("password", name=CLEAR_USER, password=CLEAR_PASSWORD),
    ]
    proxy = start_dbward(pg_config(pg_server, users=users))
    assert _auth_code(proxy, "app", APP_PASSWORD) == AUTH_SASL
    assert _auth_code(proxy, MD5_USER, MD5_PASSWORD) == AUTH_MD5
    assert _auth_code(proxy, CLEAR_USER, CLEAR_PASSWORD) == AUTH_CLEARTEXT
    # real drivers too, and a wrong password is refused for every method
    for user, pw in (("app", APP_PASSWORD), (MD5_USER, MD5_PASSWORD),
                     (CLEAR_USER, CLEAR_PASSWORD)):
        conn = proxy.connect(user=user, password=pw)
        with conn.cursor() as cur:
            cur.execute("SELECT current_user")
            assert cur.fetchone()[0] == user
        conn.close()
        with pytest.raises(psycopg2.OperationalError) as exc:
            proxy.connect(user=user, password=pw + "x")
        assert_password_failure(exc.value)


def test_scram_explicit_and_asyncpg_md5(pg_server, start_dbward):
    users = [app_user("scram-sha-256"),
             app_user("md5", name=MD5_USER, password=MD5_PASSWORD)]
    proxy = start_dbward(pg_config(pg_server, users=users))
    assert _auth_code(proxy, "app", APP_PASSWORD) == AUTH_SASL
    _asyncpg_connect(proxy, user=MD5_USER, password=MD5_PASSWORD)
    with pytest.raises(asyncpg.InvalidPasswordError):
        _asyncpg_connect(proxy, user=MD5_USER, password="nope")


def test_backend_user_mapping(pg_server, start_dbward):
    """A proxy account that logs in to the server as another role."""
    users = [app_user(name="frontdesk", password="front-Pw-1", backend_user="app",
                      backend_password=APP_PASSWORD)]
    proxy = start_dbward(pg_config(pg_server, users=users))
    conn = proxy.connect(user="frontdesk", password="front-Pw-1")
    with conn.cursor() as cur:
        cur.execute("SELECT current_user")
        assert cur.fetchone()[0] == "app"
    conn.close()
    with pytest.raises(psycopg2.OperationalError):
        proxy.connect(user="app", password=APP_PASSWORD)  # not a proxy account here


def test_user_restricted_to_other_backend_is_refused(pg_server, start_dbward):
    cfg = pg_config(pg_server, users=[app_user(backends=["elsewhere"])])
    cfg["backends"].append({"name": "elsewhere", "protocol": "postgres",
                            "address": f"127.0.0.1:{pg_server.port}"})
    proxy = start_dbward(cfg)
    with pytest.raises(psycopg2.OperationalError):
        proxy.connect()


def test_backend_database_missing(pg_proxy):
    """The server's own error (3D000) reaches the client, at login or at the first query."""
    with pytest.raises(psycopg2.Error) as exc:
        conn = pg_proxy.connect(dbname="no_such_db")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
        finally:
            conn.close()
    e = exc.value
    assert getattr(e, "pgcode", None) == "3D000" or "no_such_db" in str(e), str(e)


def test_server_side_md5_and_cleartext_logins(pg_server, start_dbward):
    """dbward's own login to the server works with the server's md5 and password methods."""
    users = [app_user(name=MD5_USER, password=MD5_PASSWORD),
             app_user(name=CLEAR_USER, password=CLEAR_PASSWORD)]
    proxy = start_dbward(pg_config(pg_server, users=users))
    for user, pw in ((MD5_USER, MD5_PASSWORD), (CLEAR_USER, CLEAR_PASSWORD)):
        conn = proxy.connect(user=user, password=pw)
        with conn.cursor() as cur:
            cur.execute("SELECT current_user, 1 + 1")
            assert cur.fetchone() == (user, 2)
        conn.close()
