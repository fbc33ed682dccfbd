#!/usr/bin/python3
"""Records MySQL protocol conversations between real clients and a real
MariaDB server into the my_*.hex files of this folder.

A relay on 127.0.0.1 sits between the clients and the server and writes every
packet it forwards, in both directions, one line each:

    C <seq> <payload hex>     client to server
    S <seq> <payload hex>     server to client

A client packet of exactly 32 bytes sent right after the server greeting is an
SSLRequest: what follows is TLS, and the relay stops decoding (a line "TLS").

    /usr/bin/python3 tests/unit/captures/my_capture.py PORT [CAPI]

PORT is a MariaDB 10.11 started with --local-infile=1 and a TLS certificate,
with a user app/secret allowed everything; the script creates its tables.
CAPI, when given, is an executable taking HOST PORT that drives the C API
scenarios (prepared statements, field lists...); see README.md.
"""
import hashlib
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import MySQLdb
import pymysql
from pymysql.constants import CLIENT

HERE = os.path.dirname(os.path.abspath(__file__))
USER, PASSWORD, DB = "app", "secret", "appdb"


class Relay:
    """Accepts on an ephemeral port; each connection is logged under the
    label current when it was accepted."""

    def __init__(self, server_port):
        self.server_port = server_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.label = None
        self.lines = {}
        self.lock = threading.Lock()
        self.active = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            c, _ = self.sock.accept()
            s = socket.create_connection(("127.0.0.1", self.server_port))
            with self.lock:
                label = self.label
                self.lines.setdefault(label, [])
                self.active += 2
            conn = {"tls": False, "client_packets": 0}
            threading.Thread(target=self._pump, args=(c, s, "C", label, conn), daemon=True).start()
            threading.Thread(target=self._pump, args=(s, c, "S", label, conn), daemon=True).start()

    def _log(self, label, line):
        with self.lock:
            self.lines[label].append(line)

    def _pump(self, src, dst, who, label, conn):
        buf = b""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if not conn["tls"]:
                    buf += data
                    while len(buf) >= 4 and not conn["tls"]:
                        n = buf[0] | buf[1] << 8 | buf[2] << 16
                        if len(buf) < 4 + n:
                            break
                        seq, payload = buf[3], buf[4:4 + n]
                        buf = buf[4 + n:]
                        self._log(label, f"{who} {seq} {payload.hex()}")
                        if who == "C":
                            conn["client_packets"] += 1
                            if conn["client_packets"] == 1 and n == 32:
                                conn["tls"] = True
                                self._log(label, "TLS")
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for x in (src, dst):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            with self.lock:
                self.active -= 1

    def start(self, label):
        self.wait_idle()
        with self.lock:
            self.label = label

    def wait_idle(self):
        for _ in range(200):
            with self.lock:
                if self.active == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("relay connections still open")


class RawClient:
    """A minimal client that asks for capabilities the installed drivers do
    not (CLIENT_DEPRECATE_EOF) and sends commands byte by byte. It does not
    interpret replies: it reads until the server has been quiet a moment."""

    def __init__(self, port, caps, plugin=b"mysql_native_password", db=DB):
        self.s = socket.create_connection(("127.0.0.1", port))
        greeting = self._read()[1]
        o = greeting.index(b"\0", 1) + 1  # after the version string
        scramble = greeting[o + 4:o + 12] + greeting[o + 31:o + 43]
        server_caps = struct.unpack("<H", greeting[o + 13:o + 15])[0] | \
            struct.unpack("<H", greeting[o + 18:o + 20])[0] << 16
        self.caps = caps & server_caps
        token = self._native(scramble) if plugin == b"mysql_native_password" else b"\x01" * 32
        attrs = b"\x0cprogram_name\x07rawtest"
        body = struct.pack("<IIB", self.caps, 16 << 20, 45) + b"\0" * 23
        body += USER.encode() + b"\0"
        body += bytes([len(token)]) + token
        if self.caps & CLIENT.CONNECT_WITH_DB:
            body += db.encode() + b"\0"
        body += plugin + b"\0"
        if self.caps & CLIENT.CONNECT_ATTRS:
            body += bytes([len(attrs)]) + attrs
        self._send(1, body)
        seq, reply = self._read()
        if reply[:1] == b"\xfe":  # AuthSwitchRequest
            name_end = reply.index(b"\0", 1)
            data = reply[name_end + 1:].rstrip(b"\0")
            self._send(seq + 1, self._native(data))
            seq, reply = self._read()
        if reply[:1] != b"\x00":
            raise RuntimeError(f"raw login failed: {reply!r}")

    @staticmethod
    def _native(scramble):
        h1 = hashlib.sha1(PASSWORD.encode()).digest()
        h2 = hashlib.sha1(scramble + hashlib.sha1(h1).digest()).digest()
        return bytes(a ^ b for a, b in zip(h1, h2))

    def _recv_exact(self, n):
        out = b""
        while len(out) < n:
            d = self.s.recv(n - len(out))
            if not d:
                raise RuntimeError("server closed")
            out += d
        return out

    def _read(self):
        h = self._recv_exact(4)
        n = h[0] | h[1] << 8 | h[2] << 16
        return h[3], self._recv_exact(n)

    def _send(self, seq, payload):
        self.s.sendall(struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload)

    def command(self, payload, quiet=0.3):
        """Sends one command and returns the reply packets."""
        self._send(0, payload)
        out = []
        self.s.settimeout(quiet)
        try:
            while True:
                out.append(self._read()[1])
        except socket.timeout:
            pass
        self.s.settimeout(None)
        return out

    def close(self):
        self._send(0, b"\x01")
        self.s.close()


def setup(server_port):
    c = pymysql.connect(host="127.0.0.1", port=server_port, user=USER, password=PASSWORD,
                        database=DB, client_flag=CLIENT.MULTI_STATEMENTS, autocommit=True)
    with c.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS t, big, loaded")
        cur.execute("DROP PROCEDURE IF EXISTS two_results")
        cur.execute("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))")
        cur.execute("INSERT INTO t VALUES (1,'one'),(2,'two'),(3,NULL)")
        cur.execute("CREATE TABLE loaded (a INT, b VARCHAR(10))")
        cur.execute("CREATE PROCEDURE two_results() BEGIN "
                    "SELECT id FROM t WHERE id < 3 ORDER BY id; SELECT 'x' AS s, 42 AS n; END")
    c.close()


def pymysql_scenarios(relay):
    relay.start("pymysql_session")
    c = pymysql.connect(host="127.0.0.1", port=relay.port, user=USER, password=PASSWORD,
                        database=DB, program_name="captest")
    with c.cursor() as cur:
        cur.execute("SELECT id, name FROM t ORDER BY id")
        try:
            cur.execute("SELECT * FROM no_such_table")
        except pymysql.err.ProgrammingError:
            pass
        try:
            cur.execute("INSERT INTO t VALUES (1, 'dup')")
        except pymysql.err.IntegrityError:
            pass
        cur.execute("BEGIN")
        cur.execute("UPDATE t SET name = 'uno' WHERE id = 1")
        cur.execute("ROLLBACK")
        cur.execute("SELECT id FROM t WHERE id > 100")
    c.close()

    relay.start("pymysql_multi")
    c = pymysql.connect(host="127.0.0.1", port=relay.port, user=USER, password=PASSWORD,
                        database=DB, client_flag=CLIENT.MULTI_STATEMENTS)
    with c.cursor() as cur:
        cur.execute("SELECT 1 AS a; SELECT 'b', 2; DO 0")
        while cur.nextset():
            pass
        cur.execute("CALL two_results()")
        while cur.nextset():
            pass
        try:
            cur.execute("SELECT 1; SELECT * FROM no_such_table; SELECT 3")
            while cur.nextset():
                pass
        except pymysql.err.ProgrammingError:
            pass
    c.close()

    relay.start("pymysql_infile")
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.write("1\tone\n2\ttwo\n")
        path = f.name
    c = pymysql.connect(host="127.0.0.1", port=relay.port, user=USER, password=PASSWORD,
                        database=DB, local_infile=True, autocommit=True)
    with c.cursor() as cur:
        cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE loaded")
    c.close()
    os.unlink(path)


def mysqldb_scenarios(relay):
    relay.start("mysqldb_session")
    c = MySQLdb.connect(host="127.0.0.1", port=relay.port, user=USER, passwd=PASSWORD, db=DB)
    cur = c.cursor()
    cur.execute("SELECT id, name FROM t ORDER BY id")
    cur.fetchall()
    try:
        cur.execute("SELECT * FROM no_such_table")
    except MySQLdb.ProgrammingError:
        pass
    c.ping()
    c.select_db("mysql")
    c.stat()
    c.set_server_option(0)  # MYSQL_OPTION_MULTI_STATEMENTS_ON
    c.change_user(USER, PASSWORD, DB)
    c.close()

    relay.start("mysqldb_ssl")
    # Only the SSLRequest is readable; the certificate need not verify.
    try:
        c = MySQLdb.connect(host="127.0.0.1", port=relay.port, user=USER, passwd=PASSWORD, db=DB,
                            ssl={"cipher": "DEFAULT"})
        c.close()
    except MySQLdb.OperationalError:
        pass


def cli_scenarios(relay):
    relay.start("cli_session")
    subprocess.run(["mariadb", "-h127.0.0.1", f"-P{relay.port}", f"-u{USER}", f"-p{PASSWORD}",
                    "--skip-ssl", DB, "-e", "SELECT name FROM t WHERE id = 2"],
                   check=True, capture_output=True)
    relay.start("cli_ssl")
    subprocess.run(["mariadb", "-h127.0.0.1", f"-P{relay.port}", f"-u{USER}", f"-p{PASSWORD}",
                    "--ssl", DB, "-e", "SELECT 1"], check=True, capture_output=True)


def com(cmd, arg=b""):
    return bytes([cmd]) + arg


def raw_scenarios(relay):
    want = (CLIENT.LONG_PASSWORD | CLIENT.LONG_FLAG | CLIENT.PROTOCOL_41 | CLIENT.TRANSACTIONS |
            CLIENT.SECURE_CONNECTION | CLIENT.MULTI_STATEMENTS | CLIENT.MULTI_RESULTS |
            CLIENT.PS_MULTI_RESULTS | CLIENT.PLUGIN_AUTH | CLIENT.CONNECT_ATTRS |
            CLIENT.CONNECT_WITH_DB | CLIENT.SESSION_TRACK)
    for label, caps in (("raw_deprecate_eof", want | CLIENT.DEPRECATE_EOF), ("raw_eof", want)):
        relay.start(label)
        r = RawClient(relay.port, caps)
        r.command(com(3, b"SELECT id, name FROM t ORDER BY id"))
        r.command(com(3, b"SELECT id FROM t WHERE id > 100"))
        r.command(com(3, b"SELECT 1; CALL two_results()"))
        r.command(com(3, b"SELECT * FROM no_such_table"))
        r.command(com(3, b"SET @v = 1"))
        r.command(com(4, b"t\0"))                       # COM_FIELD_LIST
        r.command(com(9))                               # COM_STATISTICS
        r.command(com(27, b"\0\0"))                     # COM_SET_OPTION multi statements on
        r.command(com(14))                              # COM_PING
        prep = r.command(com(22, b"SELECT id, name FROM t WHERE id >= ?"))
        sid = prep[0][1:5]
        # Execute with a cursor (CURSOR_TYPE_READ_ONLY): the reply ends after the columns.
        r.command(com(23, sid + b"\x01" + b"\x01\0\0\0" + b"\0" + b"\x01" + b"\x03\x00" +
                      struct.pack("<i", 1)))
        r.command(com(28, sid + struct.pack("<I", 2)))  # COM_STMT_FETCH 2 rows
        r.command(com(28, sid + struct.pack("<I", 2)))  # the last row
        r.command(com(26, sid))                         # COM_STMT_RESET
        # Execute without a cursor, the types not sent again: a binary result set.
        r.command(com(23, sid + b"\x00" + b"\x01\0\0\0" + b"\0" + b"\x00" + struct.pack("<i", 2)))
        r.command(com(25, sid), quiet=0.1)             # COM_STMT_CLOSE: no reply
        prep = r.command(com(22, b"INSERT INTO loaded VALUES (?, ?)"))
        r.command(com(25, prep[0][1:5]), quiet=0.1)
        prep = r.command(com(22, b"SELECT 1"))
        r.command(com(25, prep[0][1:5]), quiet=0.1)
        r.command(com(22, b"SELECT FROM"))              # prepare error
        r.command(com(31))                              # COM_RESET_CONNECTION
        r.close()
        relay.wait_idle()

    relay.start("raw_auth_switch")
    r = RawClient(relay.port, want, plugin=b"caching_sha2_password")
    r.close()


def c_api_scenarios(relay, capi):
    relay.start("capi_session")
    subprocess.run([capi, "127.0.0.1", str(relay.port)], check=True)


def write(relay):
    for label, lines in relay.lines.items():
        with open(os.path.join(HERE, f"my_{label}.hex"), "w") as f:
            f.write("\n".join(lines) + "\n")


def main():
    server_port = int(sys.argv[1])
    setup(server_port)
    relay = Relay(server_port)
    pymysql_scenarios(relay)
    mysqldb_scenarios(relay)
    cli_scenarios(relay)
    raw_scenarios(relay)
    if len(sys.argv) > 2:
        c_api_scenarios(relay, sys.argv[2])
    relay.wait_idle()
    write(relay)


if __name__ == "__main__":
    main()
