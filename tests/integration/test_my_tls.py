"""TLS on the MySQL path: termination at dbward's listener (after the client's
SSL request packet) and dbward's own TLS to MariaDB."""
import os
import ssl
import subprocess
import time

import MySQLdb
import pymysql
import pytest

from dbward_helpers import my_config
from my_wire import MemoryTls, MyConn, ssl_request
from servers import APP_PASSWORD


def listener_tls(tls_files, mode):
    return {"mode": mode, "cert_file": tls_files.cert, "key_file": tls_files.key}


def py_connect(proxy, **kw):
    args = dict(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                database="app", connect_timeout=10, read_timeout=30)
    args.update(kw)
    return pymysql.connect(**args)


def round_trip(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT %s", ("over tls?",))
        return cur.fetchone()[0]


@pytest.fixture
def require_proxy(maria_server, start_dbward, tls_files):
    return start_dbward(my_config(maria_server, listener_tls=listener_tls(tls_files, "require")))


def test_require_pymysql(require_proxy, tls_files):
    conn = py_connect(require_proxy, ssl={"ca": None})
    assert isinstance(conn._sock, ssl.SSLSocket)
    assert round_trip(conn) == "over tls?"
    conn.close()
    # verifying dbward's certificate and host name (127.0.0.1 is in its SAN)
    conn = py_connect(require_proxy, ssl_ca=tls_files.cert, ssl_verify_cert=True,
                      ssl_verify_identity=True)
    assert isinstance(conn._sock, ssl.SSLSocket)
    assert conn._sock.version() in ("TLSv1.2", "TLSv1.3")
    assert round_trip(conn) == "over tls?"
    conn.close()


def test_require_refuses_plain_clients(require_proxy):
    with pytest.raises(pymysql.err.OperationalError) as exc:
        py_connect(require_proxy, ssl_disabled=True)
    assert exc.value.args[0] == 1045, exc.value.args
    assert "TLS" in exc.value.args[1]
    c = MyConn(require_proxy.host, require_proxy.port)
    _, _, _, caps, _ = c.read_greeting()
    assert caps & 0x800, "CLIENT_SSL not offered"
    with pytest.raises(Exception):
        c.login("app", APP_PASSWORD)
    c.close()


def test_require_mysqldb(require_proxy, tls_files):
    conn = MySQLdb.connect(host=require_proxy.host, port=require_proxy.port, user="app",
                           passwd=APP_PASSWORD, db="app", connect_timeout=10,
                           ssl={"ca": tls_files.cert})
    cur = conn.cursor()
    cur.execute("SELECT 'mysqldb tls'")
    assert cur.fetchone() == ("mysqldb tls",)
    conn.close()


def test_require_large_result_over_tls(require_proxy):
    conn = py_connect(require_proxy, ssl={"ca": None}, read_timeout=90)
    with conn.cursor() as cur:
        n = cur.execute("SELECT a.seq, REPEAT('t', 100) FROM seq_1_to_1000 a "
                        "JOIN seq_1_to_100 b ON 1 = 1")
        assert n == 100000 and len(cur.fetchall()) == 100000
    conn.close()


def mariadb_cli(proxy, *args):
    env = dict(os.environ, MYSQL_PWD=APP_PASSWORD)
    return subprocess.run(["mariadb", "--no-defaults", "--protocol=TCP", "-h", proxy.host,
                           "-P", str(proxy.port), "-u", "app", "--connect-timeout=10",
                           *args], env=env, capture_output=True, text=True, timeout=60)


def test_mariadb_cli_ssl(require_proxy, tls_files):
    res = mariadb_cli(require_proxy, "--ssl", "--ssl-ca=" + tls_files.cert,
                      "--ssl-verify-server-cert", "app", "-e", "status; SELECT 'cli tls'")
    assert res.returncode == 0, res.stderr
    assert "Cipher in use is" in res.stdout, res.stdout
    assert "cli tls" in res.stdout
    res = mariadb_cli(require_proxy, "--skip-ssl", "app", "-e", "SELECT 1")
    assert res.returncode == 1
    assert "1045" in res.stderr, res.stderr


def test_prefer_serves_both(maria_server, start_dbward, tls_files):
    proxy = start_dbward(my_config(maria_server, listener_tls=listener_tls(tls_files, "prefer")))
    conn = py_connect(proxy, ssl={"ca": None})
    assert isinstance(conn._sock, ssl.SSLSocket)
    assert round_trip(conn) == "over tls?"
    conn.close()
    conn = py_connect(proxy)
    assert not isinstance(conn._sock, ssl.SSLSocket)
    assert round_trip(conn) == "over tls?"
    conn.close()


def test_disable_does_not_offer_ssl(my_proxy):
    c = MyConn(my_proxy.host, my_proxy.port)
    _, _, _, caps, _ = c.read_greeting()
    c.close()
    assert not caps & 0x800
    # the CLI insists on TLS when asked to; PyMySQL silently goes on without it
    res = mariadb_cli(my_proxy, "--ssl", "--ssl-verify-server-cert", "app", "-e", "SELECT 1")
    assert res.returncode == 1, res.stdout
    conn = py_connect(my_proxy, ssl={"ca": None})
    assert not isinstance(conn._sock, ssl.SSLSocket)
    conn.close()


def test_ssl_request_then_client_hello_after_a_pause(require_proxy):
    """The control case of the next test: the two writes well apart."""
    for _ in range(3):
        c = MyConn(require_proxy.host, require_proxy.port)
        c.read_greeting()
        tls = MemoryTls(c.sock)
        hello = tls.first_flight()
        c.send(ssl_request())
        time.sleep(0.2)
        c.sock.sendall(hello)
        tls.finish_handshake()
        c.close()


def test_client_hello_in_the_same_write_as_the_ssl_request(require_proxy):
    """MySQL clients do not wait for an answer to the SSL request: the TLS
    ClientHello may reach dbward in the same read as the request."""
    for _ in range(5):
        c = MyConn(require_proxy.host, require_proxy.port)
        c.login("app", APP_PASSWORD, tls=True)  # request + ClientHello in one send()
        assert c.query("SELECT 'glued'") == [("glued",)]
        c.close()


def test_tls_handshake_failure_does_not_hurt_others(require_proxy):
    good = py_connect(require_proxy, ssl={"ca": None})
    c = MyConn(require_proxy.host, require_proxy.port)
    c.read_greeting()
    c.send(ssl_request())
    c.send(b"\x16\x03\x01\x00\x05this-is-not-a-tls-client-hello" * 4)
    assert c.closed_by_peer()
    c.close()
    assert round_trip(good) == "over tls?"
    good.close()


# ---- dbward -> MariaDB ----

def backend_ssl_version(proxy):
    """SHOW SESSION STATUS runs on the server connection serving this client."""
    conn = py_connect(proxy)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
            return cur.fetchone()[1]
    finally:
        conn.close()


def test_backend_tls_modes(maria_server, start_dbward):
    for mode in ("disable", "prefer", "require"):
        proxy = start_dbward(my_config(maria_server, backend_tls={"mode": mode}), name=f"b-{mode}")
        version = backend_ssl_version(proxy)
        if mode == "disable":
            assert version == "", version
        else:
            assert version in ("TLSv1.2", "TLSv1.3"), (mode, version)


def test_backend_tls_verify_full(maria_server, start_dbward, tls_files):
    proxy = start_dbward(my_config(maria_server, backend_tls={"mode": "verify-full",
                                                              "ca_file": maria_server.cert}))
    assert backend_ssl_version(proxy) in ("TLSv1.2", "TLSv1.3")
    # a CA that did not sign the server's certificate: the server is not trusted
    bad = start_dbward(my_config(maria_server, backend_tls={"mode": "verify-full",
                                                            "ca_file": tls_files.cert}),
                       name="bad")
    with pytest.raises(pymysql.err.OperationalError):
        backend_ssl_version(bad)


def test_backend_tls_carries_real_work(maria_server, start_dbward):
    proxy = start_dbward(my_config(maria_server, backend_tls={"mode": "require"}))
    conn = py_connect(proxy, autocommit=True, read_timeout=90)
    with conn.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE tls_t (id INT PRIMARY KEY, v TEXT)")
        cur.executemany("INSERT INTO tls_t VALUES (%s, %s)",
                        [(i, "x" * 1000) for i in range(500)])
        cur.execute("SELECT COUNT(*), SUM(LENGTH(v)) FROM tls_t")
        assert cur.fetchone() == (500, 500000)
        n = cur.execute("SELECT a.seq FROM seq_1_to_1000 a JOIN seq_1_to_100 b ON 1 = 1")
        assert n == 100000
    conn.close()
