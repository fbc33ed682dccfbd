"""TLS: termination at dbward's listener (disable / prefer / require) and
dbward's own TLS to the server (disable / require / verify-full)."""
import asyncio
import socket
import ssl

import asyncpg
import psycopg2
import pytest

from dbward_helpers import pg_config
from pg_wire import SSL_REQUEST_CODE, WireConn, request_packet
from servers import APP_PASSWORD


def listener_tls(tls_files, mode):
    return {"mode": mode, "cert_file": tls_files.cert, "key_file": tls_files.key}


def ssl_in_use(proxy, **kw):
    conn = proxy.connect(**kw)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 'over tls?'")
            assert cur.fetchone() == ("over tls?",)
        return conn.info.ssl_in_use
    finally:
        conn.close()


def test_require(pg_server, start_dbward, tls_files):
    proxy = start_dbward(pg_config(pg_server, listener_tls=listener_tls(tls_files, "require")))
    assert ssl_in_use(proxy, sslmode="require") is True
    assert ssl_in_use(proxy, sslmode="verify-ca", sslrootcert=tls_files.cert) is True
    with pytest.raises(psycopg2.OperationalError):
        proxy.connect(sslmode="disable")


def test_require_large_result_and_copy_over_tls(pg_server, start_dbward, tls_files):
    import io
    proxy = start_dbward(pg_config(pg_server, listener_tls=listener_tls(tls_files, "require")))
    conn = proxy.connect(sslmode="require")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT g, repeat('x', 100) FROM generate_series(1, 100000) g")
        assert len(cur.fetchall()) == 100000
        out = io.StringIO()
        cur.copy_expert("COPY (SELECT g FROM generate_series(1, 50000) g) TO STDOUT", out)
        assert out.getvalue().count("\n") == 50000
    conn.close()


def test_prefer(pg_server, start_dbward, tls_files):
    proxy = start_dbward(pg_config(pg_server, listener_tls=listener_tls(tls_files, "prefer")))
    assert ssl_in_use(proxy, sslmode="prefer") is True
    assert ssl_in_use(proxy, sslmode="disable") is False


def test_disable(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, listener_tls={"mode": "disable"}))
    with pytest.raises(psycopg2.OperationalError):
        proxy.connect(sslmode="require")
    assert ssl_in_use(proxy, sslmode="prefer") is False


def test_no_tls_section_answers_sslrequest_with_n(pg_proxy):
    c = WireConn(pg_proxy.host, pg_proxy.port)
    c.send(request_packet(SSL_REQUEST_CODE))
    assert c.read_exact(1) == b"N"
    c.login("app", APP_PASSWORD, "app")
    assert c.query("SELECT 'plain'") == [("plain",)]
    c.close()


def test_asyncpg_over_tls(pg_server, start_dbward, tls_files):
    proxy = start_dbward(pg_config(pg_server, listener_tls=listener_tls(tls_files, "require")))
    ctx = ssl.create_default_context(cafile=tls_files.cert)
    ctx.check_hostname = False

    async def go():
        conn = await asyncpg.connect(host=proxy.host, port=proxy.port, user="app",
                                     password=APP_PASSWORD, database="app", ssl=ctx, timeout=10)
        v = await conn.fetchval("SELECT $1::int * 3", 14)
        await conn.close()
        return v
    assert asyncio.run(asyncio.wait_for(go(), 30)) == 42


def test_tls_handshake_failure_does_not_hurt_others(pg_server, start_dbward, tls_files):
    proxy = start_dbward(pg_config(pg_server, listener_tls=listener_tls(tls_files, "require")))
    good = proxy.connect(sslmode="require")
    s = socket.create_connection((proxy.host, proxy.port), timeout=10)
    s.sendall(request_packet(SSL_REQUEST_CODE))
    assert s.recv(1) == b"S"
    s.sendall(b"\x16\x03\x01\x00\x05hello-this-is-not-tls" * 4)
    s.settimeout(5)
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass
    s.close()
    with good.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    good.close()


def backend_ssl(proxy):
    """Whether dbward's server connection serving this client uses TLS (seen by the server)."""
    conn = proxy.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_backend_tls_modes(pg_server, start_dbward):
    for mode, expected in (("disable", False), ("prefer", True), ("require", True)):
        proxy = start_dbward(pg_config(pg_server, backend_tls={"mode": mode}), name=f"b-{mode}")
        assert backend_ssl(proxy) is expected, mode


def test_backend_tls_verify_full(pg_server, start_dbward, tls_files):
    proxy = start_dbward(pg_config(pg_server, backend_tls={"mode": "verify-full",
                                                           "ca_file": pg_server.cert}))
    assert backend_ssl(proxy) is True
    # a CA that did not sign the server's certificate: the server is not trusted
    bad = start_dbward(pg_config(pg_server, backend_tls={"mode": "verify-full",
                                                         "ca_file": tls_files.cert}), name="bad")
    with pytest.raises(psycopg2.Error):
        conn = bad.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
        finally:
            conn.close()
