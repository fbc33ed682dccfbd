"""MySQL client authentication at dbward: mysql_native_password and
caching_sha2_password (fast path, RSA key exchange without TLS, cleartext
over TLS), refusals with 1045 / 28000."""
import MySQLdb
import pymysql
import pytest
from pymysql import _auth as pymysql_auth

import my_wire
from dbward_helpers import app_user, my_config
from my_wire import MyConn
from servers import APP_PASSWORD, APP_USER

SHA2_USER = "sha2app"
SHA2_PASSWORD = "sha2-Pw-5e1d"


def users():
    """app (native) and sha2app (caching_sha2_password), both the server's app."""
    return [app_user(),
            {"name": SHA2_USER, "password": SHA2_PASSWORD,
             "mysql_auth": "caching_sha2_password",
             "backend_user": APP_USER, "backend_password": APP_PASSWORD}]


@pytest.fixture
def proxy(maria_server, start_dbward):
    return start_dbward(my_config(maria_server, users=users()))


@pytest.fixture
def tls_proxy(maria_server, start_dbward, tls_files):
    return start_dbward(my_config(maria_server, users=users(), listener_tls={
        "mode": "prefer", "cert_file": tls_files.cert, "key_file": tls_files.key}))


def py_connect(proxy, user=APP_USER, password=APP_PASSWORD, **kw):
    return pymysql.connect(host=proxy.host, port=proxy.port, user=user, password=password,
                           database="app", connect_timeout=10, read_timeout=30, **kw)


def c_connect(proxy, user=APP_USER, password=APP_PASSWORD, **kw):
    return MySQLdb.connect(host=proxy.host, port=proxy.port, user=user, passwd=password,
                           db="app", connect_timeout=10, **kw)


def who(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1), DATABASE()")
        return cur.fetchone()


def assert_denied(exc_info, user):
    code, message = exc_info.value.args[0], exc_info.value.args[1]
    assert code == 1045, exc_info.value.args
    assert f"'{user}'" in message, message


def test_native_password_pymysql_and_mysqldb(proxy):
    conn = py_connect(proxy)
    assert who(conn) == ("app", "app")
    conn.close()
    conn = c_connect(proxy)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    conn.close()


def test_wrong_password_1045_28000(proxy):
    with pytest.raises(pymysql.err.OperationalError) as exc:
        py_connect(proxy, password="wrong-password")
    assert_denied(exc, "app")
    with pytest.raises(MySQLdb.OperationalError) as exc:
        c_connect(proxy, password="wrong-password")
    assert_denied(exc, "app")
    with pytest.raises(pymysql.err.OperationalError) as exc:
        py_connect(proxy, password="")
    assert exc.value.args[0] == 1045


def test_sqlstate_28000_on_the_wire(proxy):
    """Drivers hide the SQLSTATE of a failed login: read the ERR packet."""
    c = MyConn(proxy.host, proxy.port)
    with pytest.raises(my_wire.ServerError) as exc:
        c.login("app", "wrong-password")
    assert (exc.value.code, exc.value.sqlstate) == (1045, "28000")
    assert exc.value.message.startswith("Access denied for user 'app'")
    assert c.closed_by_peer()
    c.close()


def test_client_opening_with_sha2_is_switched_to_native(proxy):
    """MySQL 8 clients open with caching_sha2_password; for a native user
    dbward answers with an AuthSwitchRequest carrying a fresh 20-byte
    scramble and its NUL terminator, exactly as a server does."""
    c = MyConn(proxy.host, proxy.port)
    assert c.login("app", APP_PASSWORD, plugin=my_wire.SHA2) == [my_wire.SHA2, my_wire.NATIVE]
    assert c.query("SELECT 7") == [("7",)]
    name, _, data = c.last_switch[1:].partition(b"\0")
    c.close()
    assert name == b"mysql_native_password"
    assert len(data) == 21 and data[20] == 0, data


def test_native_client_is_switched_to_sha2(proxy):
    """A sha2 user whose client answers the greeting with a native scramble:
    switched to caching_sha2_password, then the fast path."""
    c = MyConn(proxy.host, proxy.port)
    assert c.login(SHA2_USER, SHA2_PASSWORD) == [my_wire.NATIVE, my_wire.SHA2]
    assert c.query("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)") == [("app",)]
    name, _, data = c.last_switch[1:].partition(b"\0")
    c.close()
    assert name == b"caching_sha2_password"
    assert len(data) == 21 and data[20] == 0, data


def test_sha2_client_fast_path_without_switch(proxy):
    c = MyConn(proxy.host, proxy.port)
    assert c.login(SHA2_USER, SHA2_PASSWORD, plugin=my_wire.SHA2) == [my_wire.SHA2]
    assert c.query("SELECT 1") == [("1",)]
    c.close()
    c = MyConn(proxy.host, proxy.port)
    with pytest.raises(my_wire.ServerError) as exc:
        c.login(SHA2_USER, "wrong", plugin=my_wire.SHA2)
    assert (exc.value.code, exc.value.sqlstate) == (1045, "28000")
    assert b"BEGIN PUBLIC KEY" in c.public_key  # the fast path failed: full auth over RSA
    c.close()


def test_sha2_rsa_exchange_on_the_wire(proxy):
    """Full authentication without TLS, driven by hand: a wrong fast-path
    answer, then the public key request and the RSA-encrypted password."""
    c = MyConn(proxy.host, proxy.port)
    c.login(SHA2_USER, SHA2_PASSWORD, plugin=my_wire.SHA2, first_auth=b"\x07" * 32)
    assert b"BEGIN PUBLIC KEY" in c.public_key
    assert c.query("SELECT 'rsa'") == [("rsa",)]
    c.close()


def test_unknown_user_1045(proxy):
    with pytest.raises(pymysql.err.OperationalError) as exc:
        py_connect(proxy, user="nobody_here", password="whatever")
    assert_denied(exc, "nobody_here")
    with pytest.raises(MySQLdb.OperationalError) as exc:
        c_connect(proxy, user="nobody_here", password="whatever")
    assert_denied(exc, "nobody_here")


def test_caching_sha2_fast_path(proxy):
    conn = py_connect(proxy, user=SHA2_USER, password=SHA2_PASSWORD)
    assert who(conn) == ("app", "app")  # logged in to the server as app
    conn.close()
    conn = c_connect(proxy, user=SHA2_USER, password=SHA2_PASSWORD)
    cur = conn.cursor()
    cur.execute("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)")
    assert cur.fetchone() == ("app",)
    conn.close()


@pytest.fixture
def force_full_auth(monkeypatch):
    """Makes PyMySQL's fast-path answer wrong, so dbward asks for full
    authentication: over plain TCP PyMySQL then fetches dbward's RSA public key
    and sends the password encrypted with it; over TLS it sends it as is."""
    calls = []

    def wrong_scramble(password, nonce):
        calls.append(nonce)
        return b"\x01" * 32
    monkeypatch.setattr(pymysql_auth, "scramble_caching_sha2", wrong_scramble)
    return calls


def test_caching_sha2_rsa_key_exchange_plain_tcp(proxy, force_full_auth):
    conn = py_connect(proxy, user=SHA2_USER, password=SHA2_PASSWORD)
    assert force_full_auth, "the fast path was not attempted"
    assert conn.server_public_key and b"BEGIN PUBLIC KEY" in conn.server_public_key
    assert not conn._secure
    assert who(conn) == ("app", "app")
    conn.close()
    with pytest.raises(pymysql.err.OperationalError) as exc:
        py_connect(proxy, user=SHA2_USER, password="wrong-sha2")
    assert_denied(exc, SHA2_USER)


def test_caching_sha2_full_auth_over_tls(tls_proxy, force_full_auth):
    conn = py_connect(tls_proxy, user=SHA2_USER, password=SHA2_PASSWORD, ssl={"ca": None})
    assert force_full_auth
    assert conn._secure and conn.server_public_key is None
    assert who(conn) == ("app", "app")
    conn.close()
    with pytest.raises(pymysql.err.OperationalError) as exc:
        py_connect(tls_proxy, user=SHA2_USER, password="wrong-sha2", ssl={"ca": None})
    assert_denied(exc, SHA2_USER)


def test_caching_sha2_wrong_password_refused(proxy):
    with pytest.raises(pymysql.err.OperationalError) as exc:
        py_connect(proxy, user=SHA2_USER, password="wrong-sha2")
    assert_denied(exc, SHA2_USER)
    with pytest.raises(MySQLdb.OperationalError) as exc:
        c_connect(proxy, user=SHA2_USER, password="wrong-sha2")
    assert_denied(exc, SHA2_USER)
    # the native user's password is not the sha2 user's
    with pytest.raises(pymysql.err.OperationalError) as exc:
        py_connect(proxy, user=SHA2_USER, password=APP_PASSWORD)
    assert_denied(exc, SHA2_USER)


def test_failed_logins_do_not_hurt_others(proxy):
    good = py_connect(proxy)
    for _ in range(5):
        with pytest.raises(pymysql.err.OperationalError):
            py_connect(proxy, password="nope")
    assert who(good) == ("app", "app")
    good.close()


def test_change_user_authenticates_again(proxy):
    """COM_CHANGE_USER (MySQLdb's change_user) logs in again as another user."""
    conn = c_connect(proxy)
    conn.change_user(SHA2_USER, SHA2_PASSWORD, "app")
    cur = conn.cursor()
    cur.execute("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1), DATABASE(), @@in_transaction")
    assert cur.fetchone() == ("app", "app", 0)
    conn.change_user(APP_USER, APP_PASSWORD, "app")
    cur = conn.cursor()
    cur.execute("SELECT 'back'")
    assert cur.fetchone() == ("back",)
    with pytest.raises(MySQLdb.OperationalError) as exc:
        conn.change_user(SHA2_USER, "wrong-sha2", "app")
    assert exc.value.args[0] == 1045, exc.value.args
    conn.close()
