"""Malformed and hostile input before login: dbward closes or refuses the
connection and keeps serving everybody else."""
import socket
import struct
import time

import pytest

from dbward_helpers import pg_config
from pg_wire import (GSSENC_REQUEST_CODE, SSL_REQUEST_CODE, WireConn, error_fields,
                     request_packet, startup_packet)
from servers import APP_PASSWORD


def closed_within(conn, seconds):
    """Reads until EOF; returns (data, elapsed). Fails if still open after SECONDS."""
    conn.sock.settimeout(seconds)
    t0 = time.time()
    try:
        data = conn.read_until_closed()
    except socket.timeout:
        pytest.fail(f"connection still open after {seconds}s")
    return data, time.time() - t0


def assert_serving(proxy, keep=None):
    """A fresh client works, and so does KEEP, a connection opened earlier."""
    conn = proxy.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT 'fine'")
        assert cur.fetchone() == ("fine",)
    conn.close()
    if keep is not None:
        with keep.cursor() as cur:
            cur.execute("SELECT 'still fine'")
            assert cur.fetchone() == ("still fine",)


def test_oversized_startup_packet(pg_proxy):
    keep = pg_proxy.connect()
    c = WireConn(pg_proxy.host, pg_proxy.port)
    c.send(struct.pack("!II", 100000, 196608) + b"user\0app\0" + b"x" * 2000)
    data, elapsed = closed_within(c, 5)  # well before the 10s login timeout
    assert data == b"" or data[:1] == b"E"
    assert_serving(pg_proxy, keep)
    keep.close()


def test_startup_packet_just_over_8k(pg_proxy):
    c = WireConn(pg_proxy.host, pg_proxy.port)
    params = {"user": "app", "database": "app", "application_name": "a" * 9000}
    c.send(startup_packet(params))
    data, _ = closed_within(c, 5)
    assert data == b"" or data[:1] == b"E"
    assert_serving(pg_proxy)


@pytest.mark.parametrize("length", [0, 4, 7])
def test_startup_length_too_small(pg_proxy, length):
    c = WireConn(pg_proxy.host, pg_proxy.port)
    c.send(struct.pack("!I", length) + b"\0\0\0\0\0\0\0\0")
    data, _ = closed_within(c, 5)
    assert data == b"" or data[:1] == b"E"
    assert_serving(pg_proxy)


def test_garbage_after_sslrequest(pg_server, start_dbward, tls_files):
    proxy = start_dbward(pg_config(pg_server, listener_tls={
        "mode": "prefer", "cert_file": tls_files.cert, "key_file": tls_files.key}))
    keep = proxy.connect(sslmode="require")
    c = WireConn(proxy.host, proxy.port)
    # the request and plaintext bytes in one segment: the bytes arrived before the handshake
    c.send(request_packet(SSL_REQUEST_CODE) + startup_packet({"user": "app",
                                                              "database": "app"}))
    data, _ = closed_within(c, 5)
    assert b"R" not in data[:1]  # never an authentication request in plaintext
    # plaintext instead of a ClientHello after the 'S'
    c = WireConn(proxy.host, proxy.port)
    c.send(request_packet(SSL_REQUEST_CODE))
    assert c.read_exact(1) == b"S"
    c.send(startup_packet({"user": "app", "database": "app"}))
    closed_within(c, 5)
    assert_serving(proxy, keep)
    keep.close()


def test_unknown_protocol_version(pg_proxy):
    c = WireConn(pg_proxy.host, pg_proxy.port)
    c.send(startup_packet({"user": "app", "database": "app"}, version=4 << 16))
    kind, payload = c.read_msg()
    assert kind == b"E"
    assert error_fields(payload).get("C")  # a SQLSTATE is present
    closed_within(c, 5)
    assert_serving(pg_proxy)


def test_gssenc_request_declined_then_normal_startup(pg_proxy):
    c = WireConn(pg_proxy.host, pg_proxy.port)
    c.send(request_packet(GSSENC_REQUEST_CODE))
    assert c.read_exact(1) == b"N"
    status = c.login("app", APP_PASSWORD, "app")
    assert status == b"I"
    assert c.backend_key is not None
    assert "server_version" in c.params
    assert c.query("SELECT 6 * 7") == [("42",)]
    c.close()


def test_gssenc_then_sslrequest_then_startup(pg_proxy):
    c = WireConn(pg_proxy.host, pg_proxy.port)
    c.send(request_packet(GSSENC_REQUEST_CODE))
    assert c.read_exact(1) == b"N"
    c.send(request_packet(SSL_REQUEST_CODE))
    assert c.read_exact(1) == b"N"  # no TLS configured on this listener
    c.login("app", APP_PASSWORD, "app")
    assert c.query("SELECT 'ok'") == [("ok",)]
    c.close()


@pytest.fixture
def login_1s_proxy(pg_server, start_dbward):
    return start_dbward(pg_config(pg_server, timeouts={"login": "1s"}))


def test_silent_client_closed_after_login_timeout(login_1s_proxy):
    keep = login_1s_proxy.connect()
    c = WireConn(login_1s_proxy.host, login_1s_proxy.port)
    _, elapsed = closed_within(c, 6)
    assert 0.7 <= elapsed <= 4, elapsed
    assert_serving(login_1s_proxy, keep)
    keep.close()


def test_partial_startup_closed_after_login_timeout(login_1s_proxy):
    c = WireConn(login_1s_proxy.host, login_1s_proxy.port)
    c.send(struct.pack("!II", 40, 196608) + b"user\0")
    _, elapsed = closed_within(c, 6)
    assert 0.7 <= elapsed <= 4, elapsed


def test_client_stalling_in_scram_closed_after_login_timeout(login_1s_proxy):
    c = WireConn(login_1s_proxy.host, login_1s_proxy.port)
    c.send(startup_packet({"user": "app", "database": "app"}))
    kind, _ = c.read_msg()
    assert kind == b"R"  # the SASL request; the client never answers it
    _, elapsed = closed_within(c, 6)
    assert elapsed <= 4, elapsed


def test_many_bad_clients_at_once(login_1s_proxy):
    proxy = login_1s_proxy
    keep = proxy.connect()
    conns = []
    for i in range(50):
        c = WireConn(proxy.host, proxy.port)
        junk = [struct.pack("!I", 0xFFFFFFFF), b"GET / HTTP/1.1\r\n\r\n",
                struct.pack("!II", 8, 1234), b"\x00"][i % 4]
        c.send(junk)
        conns.append(c)
    for c in conns:
        closed_within(c, 5)
    assert_serving(proxy, keep)
    keep.close()


def test_query_message_before_startup(pg_proxy):
    c = WireConn(pg_proxy.host, pg_proxy.port)
    c.send(b"Q\0\0\0\x0dSELECT 1\0")
    data, _ = closed_within(c, 5)
    assert b"\x00\x00\x00\x01" not in data  # no result row leaked
    assert_serving(pg_proxy)
