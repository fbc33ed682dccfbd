"""Hostile, oversized and malformed input on the MySQL path, before and after
login, plus the commands dbward refuses: the offender's connection is closed
or gets an error, and dbward keeps serving everybody else."""
import socket
import time

import pymysql
import pytest

import my_wire
from dbward_helpers import my_config
from my_wire import MyConn, packet, ssl_request
from servers import APP_PASSWORD

MIB = 1024 * 1024


def connect(proxy, **kw):
    args = dict(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                database="app", connect_timeout=10, read_timeout=60, autocommit=True)
    args.update(kw)
    return pymysql.connect(**args)


def still_serving(proxy, conn=None):
    """A client logged in before the incident, and a new one, both work."""
    if conn is not None:
        with conn.cursor() as cur:
            cur.execute("SELECT 'old client'")
            assert cur.fetchone() == ("old client",)
    fresh = connect(proxy)
    with fresh.cursor() as cur:
        cur.execute("SELECT 'new client'")
        assert cur.fetchone() == ("new client",)
    fresh.close()


@pytest.fixture
def big_server_packets(maria_server):
    """MariaDB accepting packets up to 1 GiB, so a refusal can only be dbward's
    (set before dbward opens its server connections; restored afterwards)."""
    maria_server.sql("SET GLOBAL max_allowed_packet = 1073741824")
    yield
    maria_server.sql("SET GLOBAL max_allowed_packet = 16777216")


# ---- refused commands ----

@pytest.mark.parametrize("cmd,payload", [
    (my_wire.COM_BINLOG_DUMP, (4).to_bytes(4, "little") + b"\x00\x00" + (1).to_bytes(4, "little")
     + b"mysql-bin.000001"),
    (my_wire.COM_REGISTER_SLAVE, (99).to_bytes(4, "little") + b"\x00\x00\x00"
     + (3306).to_bytes(2, "little") + bytes(8)),
])
def test_replication_commands_refused(my_proxy, cmd, payload):
    conn = connect(my_proxy)
    conn._execute_command(cmd, payload)
    with pytest.raises(pymysql.err.MySQLError) as exc:
        conn._read_packet()
    assert exc.value.args[0] == 1227, exc.value.args
    assert exc.value.args[1].startswith("dbward:")
    with conn.cursor() as cur:  # the connection goes on
        cur.execute("SELECT 'after refusal'")
        assert cur.fetchone() == ("after refusal",)
    conn.close()
    c = MyConn(my_proxy.host, my_proxy.port)
    c.login("app", APP_PASSWORD)
    c.command(cmd, payload)
    err = my_wire.parse_err(c.read_packet())
    assert (err.code, err.sqlstate) == (1227, "42000")
    assert c.query("SELECT 2") == [("2",)]
    c.close()


def test_load_data_local_infile_refused(my_proxy, tmp_path):
    """LOCAL INFILE is off: dbward never lets the server ask the client for a file."""
    data = tmp_path / "rows.csv"
    data.write_text("1\n2\n")
    conn = connect(my_proxy, local_infile=True)
    with conn.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE li (id INT)")
        with pytest.raises(pymysql.err.MySQLError):
            cur.execute(f"LOAD DATA LOCAL INFILE '{data}' INTO TABLE li")
        cur.execute("SELECT COUNT(*) FROM li")
        assert cur.fetchone() == (0,)
    conn.close()


# ---- size limits ----

@pytest.mark.deadline(120)
def test_command_over_the_maximum_is_refused(maria_server, big_server_packets, start_dbward):
    """A 100 MiB command. One packet header holds at most 16 MiB - 1, so such a
    command arrives as a chain of full-size packets: dbward must refuse it
    (its maximum is 64 MiB) instead of relaying it all, close the connection,
    and keep serving others."""
    proxy = start_dbward(my_config(maria_server))
    bystander = connect(proxy)
    c = MyConn(proxy.host, proxy.port, timeout=60)
    c.login("app", APP_PASSWORD)
    payload = b"\x03SELECT LENGTH('" + b"x" * (100 * MIB) + b"')"
    chunks = [payload[i:i + my_wire.MAX_PAYLOAD]
              for i in range(0, len(payload), my_wire.MAX_PAYLOAD)]
    if len(chunks[-1]) == my_wire.MAX_PAYLOAD:
        chunks.append(b"")
    sent = 0
    try:
        for seq, chunk in enumerate(chunks):
            c.sock.sendall(packet(seq, chunk))
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    closed = c.closed_by_peer(timeout=15)
    err, received = c.last_error, c.received
    c.close()
    assert closed, (f"connection still open after a {len(payload)} byte command ({sent} sent);"
                    f" got back {received[:64]!r}")
    if err is not None:
        assert err.code == 1153 and err.message.startswith("dbward:"), err
    still_serving(proxy, bystander)
    bystander.close()


@pytest.mark.deadline(120)
def test_split_packets_under_the_maximum_work(maria_server, big_server_packets, start_dbward):
    """Commands and rows larger than 16 MiB travel as split packets."""
    proxy = start_dbward(my_config(maria_server))
    conn = connect(proxy, max_allowed_packet=64 * MIB, read_timeout=90)
    big = "y" * (20 * MIB + 3)
    with conn.cursor() as cur:
        cur.execute("SELECT LENGTH(%s), RIGHT(%s, 3)", (big, big))
        assert cur.fetchone() == (len(big), "yyy")
        cur.execute("SELECT REPEAT('z', %s), 'next column'", (18 * MIB,))
        value, nxt = cur.fetchone()
        assert len(value) == 18 * MIB and nxt == "next column"
        cur.execute("SELECT REPEAT('w', %s)", (16 * MIB - 5,))  # a row of exactly 0xffffff
        assert len(cur.fetchone()[0]) == 16 * MIB - 5
        cur.execute("SELECT 'after'")
        assert cur.fetchone() == ("after",)
    conn.close()


@pytest.mark.parametrize("announced", [8193, 64 * 1024, my_wire.MAX_PAYLOAD])
def test_oversized_pre_auth_packet_closes(my_proxy, announced):
    bystander = connect(my_proxy)
    c = MyConn(my_proxy.host, my_proxy.port)
    c.read_greeting()
    body = b"A" * min(announced, 9000)
    c.send(announced.to_bytes(3, "little") + b"\x01" + body)
    assert c.closed_by_peer(timeout=10)
    if c.last_error is not None:
        assert c.last_error.code == 1153, c.last_error
    c.close()
    still_serving(my_proxy, bystander)
    bystander.close()


def test_pre_auth_packet_at_the_cap_is_read(my_proxy):
    """8 KiB is allowed: a handshake response padded with connect attributes
    of that size is parsed (and here refused for its password, not its size)."""
    c = MyConn(my_proxy.host, my_proxy.port)
    c.read_greeting()
    caps = my_wire.DEFAULT_CAPS
    body = my_wire.handshake_response("app", b"\x01" * 20, caps=caps)
    body += b"\x00" * (8192 - len(body))
    c.send_packet(body)
    err = my_wire.parse_err(c.read_packet())
    assert err.code in (1045, 1043), err
    c.close()


# ---- garbage ----

def test_garbage_right_after_ssl_request_closes(maria_server, start_dbward, tls_files):
    proxy = start_dbward(my_config(maria_server, listener_tls={
        "mode": "prefer", "cert_file": tls_files.cert, "key_file": tls_files.key}))
    bystander = connect(proxy)
    c = MyConn(proxy.host, proxy.port)
    c.read_greeting()
    c.send(ssl_request() + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 20)
    assert c.closed_by_peer(timeout=10)
    c.close()
    still_serving(proxy, bystander)
    bystander.close()


def test_garbage_instead_of_handshake_response(my_proxy):
    c = MyConn(my_proxy.host, my_proxy.port)
    c.read_greeting()
    c.send(packet(1, b"\x05\x00"))  # far too short to be a response
    assert c.closed_by_peer(timeout=10)
    c.close()
    c = MyConn(my_proxy.host, my_proxy.port)
    c.read_greeting()
    c.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64))  # a TLS hello, unasked
    assert c.closed_by_peer(timeout=10)
    c.close()
    still_serving(my_proxy)


def test_empty_command_packet_closes(my_proxy):
    c = MyConn(my_proxy.host, my_proxy.port)
    c.login("app", APP_PASSWORD)
    c.send(packet(0, b""))
    assert c.closed_by_peer(timeout=10)
    c.close()
    still_serving(my_proxy)


def test_login_timeout(maria_server, start_dbward):
    proxy = start_dbward(my_config(maria_server, timeouts={"login": "1s"}))
    c = MyConn(proxy.host, proxy.port)
    c.read_greeting()
    t0 = time.time()
    assert c.closed_by_peer(timeout=10)  # silent client
    assert 0.8 <= time.time() - t0 < 5
    c.close()
    still_serving(proxy)


def test_client_vanishing_mid_result_does_not_hurt_others(my_proxy):
    bystander = connect(my_proxy)
    for _ in range(3):
        c = MyConn(my_proxy.host, my_proxy.port)
        c.login("app", APP_PASSWORD)
        c.command(my_wire.COM_QUERY, b"SELECT a.seq, REPEAT('v', 200) FROM seq_1_to_1000 a "
                                     b"JOIN seq_1_to_200 b ON 1 = 1")
        c.sock.recv(1000)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.sock.close()  # RST in the middle of a 40 MB result
    still_serving(my_proxy, bystander)
    bystander.close()


def test_pipelined_commands_answered_in_order(my_proxy):
    """Drivers may send several commands before reading any reply."""
    c = MyConn(my_proxy.host, my_proxy.port)
    c.login("app", APP_PASSWORD)
    c.send(packet(0, b"\x03SELECT 'first'") + packet(0, b"\x0e")
           + packet(0, b"\x03SELECT 'third'"))
    rows = []
    for _ in range(2):
        assert c.read_packet() == b"\x01"
        c.read_packet()  # column definition
        assert c.read_packet()[0] == 0xFE
        rows.append(c.read_packet())
        assert c.read_packet()[0] == 0xFE
        if not rows[1:]:
            assert c.read_packet()[0] == 0x00  # the ping's OK, in between
    assert rows == [b"\x05first", b"\x05third"]
    c.close()
