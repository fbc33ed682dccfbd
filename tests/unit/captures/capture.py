#!/usr/bin/python3
"""Records the first packets real PostgreSQL clients send, and real server
messages from a throwaway PostgreSQL 15, into the .bin files of this folder.

Run as root or as a user that may start PostgreSQL (see servers.py):
    /usr/bin/python3 tests/unit/captures/capture.py
then regenerate the C arrays the unit test embeds:
    /usr/bin/python3 tests/unit/captures/to_c.py

Each .bin file holds one packet exactly as it crossed the wire (for startup
packets: the 4-byte length included; for server messages: type byte included).
"""
import asyncio
import os
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

SSL_CODE = 80877103
GSSENC_CODE = 80877104
CANCEL_CODE = 80877102
FAKE_PID = 4242
FAKE_KEY = 0x5EC2E7A1


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def server_msg(kind, body):
    return kind + struct.pack("!I", len(body) + 4) + body


class FakeServer:
    """Listens on 127.0.0.1 and records every pre-auth packet of every
    connection. Answers SSL/GSSENC requests with 'N'. With ACCEPT set it then
    plays a server that trusts everyone (so a client can go on to cancel), else
    it closes the connection after the startup packet."""

    def __init__(self, accept=False):
        self.accept = accept
        self.packets = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        with conn:
            while True:
                head = read_exact(conn, 4)
                if head is None:
                    return
                (length,) = struct.unpack("!I", head)
                body = read_exact(conn, length - 4) if length >= 4 else None
                if body is None:
                    return
                self.packets.append(head + body)
                code = struct.unpack("!I", body[:4])[0] if len(body) >= 4 else 0
                if code in (SSL_CODE, GSSENC_CODE):
                    conn.sendall(b"N")
                    continue
                if code == CANCEL_CODE or not self.accept:
                    return
                self._play_server(conn)
                return

    def _play_server(self, conn):
        out = server_msg(b"R", struct.pack("!I", 0))
        for name, value in (("server_version", "15.0"), ("server_encoding", "UTF8"),
                            ("client_encoding", "UTF8"), ("DateStyle", "ISO, MDY"),
                            ("integer_datetimes", "on"),
                            ("standard_conforming_strings", "on")):
            out += server_msg(b"S", name.encode() + b"\0" + value.encode() + b"\0")
        out += server_msg(b"K", struct.pack("!II", FAKE_PID, FAKE_KEY))
        out += server_msg(b"Z", b"I")
        conn.sendall(out)
        # Answer simple queries with an empty result so a client can idle.
        while True:
            kind = read_exact(conn, 1)
            if kind is None or kind == b"X":
                return
            (length,) = struct.unpack("!I", read_exact(conn, 4))
            read_exact(conn, length - 4)
            if kind == b"Q":
                conn.sendall(server_msg(b"I", b"") + server_msg(b"Z", b"I"))

    def close(self):
        self.sock.close()


def save(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def startup_of(packets):
    """The first packet that is neither an SSLRequest nor a GSSENCRequest."""
    for p in packets:
        if struct.unpack("!I", p[4:8])[0] not in (SSL_CODE, GSSENC_CODE):
            return p
    raise RuntimeError("no startup packet recorded")


def wait_packets(srv, n, timeout=5.0):
    end = time.time() + timeout
    while len(srv.packets) < n and time.time() < end:
        time.sleep(0.02)


def run_psql(port, extra, env_extra=None):
    env = dict(os.environ, PGCONNECT_TIMEOUT="3")
    env.pop("PGPASSWORD", None)
    env.update(env_extra or {})
    conninfo = f"host=127.0.0.1 port={port} user=app dbname=app {extra}"
    res = subprocess.run(["psql", "-X", "-w", conninfo, "-c", "select 1"], env=env,
                         capture_output=True, text=True, timeout=20)
    return res.stderr.strip()


def capture_psql():
    srv = FakeServer()
    run_psql(srv.port, "sslmode=disable application_name=x options='-c search_path=a,b'")
    wait_packets(srv, 1)
    save("psql_startup.bin", startup_of(srv.packets))
    srv.close()

    srv = FakeServer()
    run_psql(srv.port, "sslmode=require")
    wait_packets(srv, 1)
    save("psql_sslrequest.bin", srv.packets[0])
    srv.close()

    srv = FakeServer()
    err = run_psql(srv.port, "sslmode=disable gssencmode=require")
    wait_packets(srv, 1, timeout=1.0)
    if srv.packets:
        save("psql_gssencrequest.bin", srv.packets[0])
    else:
        print(f"psql sent no GSSENCRequest ({err}); psql_gssencrequest.bin not written")
    srv.close()


def capture_psycopg2():
    import psycopg2
    srv = FakeServer()
    try:
        psycopg2.connect(host="127.0.0.1", port=srv.port, user="app", dbname="appdb",
                         sslmode="disable", connect_timeout=3)
    except psycopg2.OperationalError:
        pass
    wait_packets(srv, 1)
    save("psycopg2_startup.bin", startup_of(srv.packets))
    srv.close()

    # A CancelRequest needs a session with a backend key: the fake server
    # accepts the login, then libpq's PQcancel opens a second connection.
    # psycopg2 holds the GIL inside PQcancel, so the client runs in its own
    # process while this one plays the server.
    srv = FakeServer(accept=True)
    client = (f"import psycopg2; c = psycopg2.connect(host='127.0.0.1', port={srv.port}, "
              "user='app', dbname='app', sslmode='disable', connect_timeout=3); "
              "c.cancel(); c.close()")
    subprocess.run([sys.executable, "-c", client], check=True, timeout=20)
    wait_packets(srv, 2)
    cancels = [p for p in srv.packets if struct.unpack("!I", p[4:8])[0] == CANCEL_CODE]
    save("psycopg2_cancel.bin", cancels[0])
    srv.close()


def capture_asyncpg():
    import asyncpg
    srv = FakeServer()

    async def go():
        try:
            await asyncpg.connect(host="127.0.0.1", port=srv.port, user="app", database="app",
                                  timeout=3, server_settings={"application_name": "ax"})
        except Exception:
            pass

    asyncio.run(go())
    wait_packets(srv, 2)
    # asyncpg tries SSL first (ssl='prefer'), then the startup packet.
    save("asyncpg_sslrequest.bin", srv.packets[0])
    save("asyncpg_startup.bin", startup_of(srv.packets))
    srv.close()


def capture_pg15():
    """Real server messages: the startup response and ErrorResponses."""
    sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
    from servers import PgServer
    server = PgServer()
    try:
        server.start()
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(os.path.join(server.socket_dir, f".s.PGSQL.{server.port}"))
        params = b"user\0postgres\0database\0postgres\0application_name\0cap\0\0"
        body = struct.pack("!I", 196608) + params
        sock.sendall(struct.pack("!I", len(body) + 4) + body)

        def read_msg():
            kind = read_exact(sock, 1)
            head = read_exact(sock, 4)
            (length,) = struct.unpack("!I", head)
            return kind + head + read_exact(sock, length - 4)

        msgs = []
        while True:
            m = read_msg()
            msgs.append(m)
            if m[:1] == b"Z":
                break
        status = [m for m in msgs if m[:1] == b"S"]
        save("pg15_param_status_server_version.bin",
             next(m for m in status if m[5:].startswith(b"server_version\0")))
        save("pg15_param_status_datestyle.bin",
             next(m for m in status if m[5:].startswith(b"DateStyle\0")))

        def query_error(sql):
            q = sql.encode() + b"\0"
            sock.sendall(b"Q" + struct.pack("!I", len(q) + 4) + q)
            err = None
            while True:
                m = read_msg()
                if m[:1] == b"E":
                    err = m
                if m[:1] == b"Z":
                    return err

        def query_notice(sql):
            q = sql.encode() + b"\0"
            sock.sendall(b"Q" + struct.pack("!I", len(q) + 4) + q)
            notice = None
            while True:
                m = read_msg()
                if m[:1] == b"N":
                    notice = m
                if m[:1] == b"Z":
                    return notice

        save("pg15_error_division_by_zero.bin", query_error("SELECT 1/0"))
        save("pg15_error_undefined_table.bin", query_error("SELECT * FROM no_such_table"))
        # Errors with every kind of field error sanitizing removes: detail,
        # schema/table/constraint/column names, hint, context, internal query.
        query_error("CREATE TABLE secret_accounts (id int PRIMARY KEY, email text NOT NULL)")
        query_error("INSERT INTO secret_accounts VALUES (1, 'a@example.com')")
        save("pg15_error_unique_violation.bin",
             query_error("INSERT INTO secret_accounts VALUES (1, 'b@example.com')"))
        save("pg15_error_not_null_violation.bin",
             query_error("INSERT INTO secret_accounts VALUES (2, NULL)"))
        save("pg15_error_raise_exception.bin",
             query_error("DO $$ BEGIN RAISE EXCEPTION 'secret value %', 42 USING "
                         "DETAIL = 'secret detail', HINT = 'secret hint'; END $$"))
        save("pg15_error_internal_query.bin",
             query_error("DO $$ BEGIN PERFORM * FROM secret_missing_table; END $$"))
        save("pg15_notice_drop_if_exists.bin",
             query_notice("DROP TABLE IF EXISTS secret_missing_table"))
        query_error("DROP TABLE secret_accounts")
        sock.sendall(b"X\0\0\0\4")
        sock.close()
    finally:
        server.stop()


def main():
    capture_psql()
    capture_psycopg2()
    capture_asyncpg()
    capture_pg15()


if __name__ == "__main__":
    main()
