"""A minimal MySQL client over a raw socket, for tests that must control exact
bytes: what drivers hide (SQLSTATE of a failed login, AuthSwitchRequest
contents), hostile input (oversized or garbage packets, bytes glued to an SSL
request) and commands drivers never send (replication).

Logs in with mysql_native_password or caching_sha2_password (fast path) and
answers one AuthSwitchRequest; TLS is done over memory BIOs so the first TLS
bytes can be sent in the same write as the SSL request.
"""
import hashlib
import socket
import ssl

# Capability flags (a subset).
CLIENT_LONG_PASSWORD = 0x00000001
CLIENT_CONNECT_WITH_DB = 0x00000008
CLIENT_PROTOCOL_41 = 0x00000200
CLIENT_SSL = 0x00000800
CLIENT_TRANSACTIONS = 0x00002000
CLIENT_SECURE_CONNECTION = 0x00008000
CLIENT_MULTI_RESULTS = 0x00020000
CLIENT_PLUGIN_AUTH = 0x00080000
DEFAULT_CAPS = (CLIENT_LONG_PASSWORD | CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 |
                CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS |
                CLIENT_PLUGIN_AUTH)

COM_QUIT = 0x01
COM_QUERY = 0x03
COM_PING = 0x0E
COM_BINLOG_DUMP = 0x12
COM_REGISTER_SLAVE = 0x15

NATIVE = "mysql_native_password"
SHA2 = "caching_sha2_password"
MAX_PAYLOAD = 0xFFFFFF


class ServerError(Exception):
    def __init__(self, code, sqlstate, message):
        self.code, self.sqlstate, self.message = code, sqlstate, message
        super().__init__(f"{code} ({sqlstate}): {message}")


def parse_err(p):
    assert p[0] == 0xFF, p[:16]
    code = int.from_bytes(p[1:3], "little")
    if p[3:4] == b"#":
        return ServerError(code, p[4:9].decode(), p[9:].decode(errors="replace"))
    return ServerError(code, None, p[3:].decode(errors="replace"))


def native_scramble(password, scramble):
    if not password:
        return b""
    s1 = hashlib.sha1(password).digest()
    mask = hashlib.sha1(scramble + hashlib.sha1(s1).digest()).digest()
    return bytes(a ^ b for a, b in zip(s1, mask))


def sha2_scramble(password, scramble):
    if not password:
        return b""
    p1 = hashlib.sha256(password).digest()
    p2 = hashlib.sha256(p1).digest()
    p3 = hashlib.sha256(p2 + scramble).digest()
    return bytes(a ^ b for a, b in zip(p1, p3))


def rsa_encrypt_password(password, scramble, pem):
    """caching_sha2_password full authentication without TLS: the password
    and its NUL, XORed with the scramble, under RSA-OAEP (SHA-1)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    plain = password + b"\0"
    plain = bytes(b ^ scramble[i % len(scramble)] for i, b in enumerate(plain))
    key = serialization.load_pem_public_key(pem)
    return key.encrypt(plain, padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()),
                                           algorithm=hashes.SHA1(), label=None))


def scramble_for(plugin, password, scramble):
    return (sha2_scramble if plugin == SHA2 else native_scramble)(password, scramble)


def packet(seq, body):
    assert len(body) <= MAX_PAYLOAD
    return len(body).to_bytes(3, "little") + bytes([seq & 0xFF]) + body


def parse_greeting(p):
    """(server version, connection id, 20-byte scramble, capabilities, plugin)."""
    assert p[0] == 10, p[:16]
    end = p.index(b"\0", 1)
    version = p[1:end].decode()
    i = end + 1
    conn_id = int.from_bytes(p[i:i + 4], "little")
    i += 4
    part1 = p[i:i + 8]
    i += 8 + 1
    caps = int.from_bytes(p[i:i + 2], "little")
    i += 2 + 1 + 2
    caps |= int.from_bytes(p[i:i + 2], "little") << 16
    i += 2 + 1 + 10
    part2 = p[i:i + 12]
    i += 13
    plugin = p[i:].split(b"\0", 1)[0].decode()
    return version, conn_id, part1 + part2, caps, plugin


def ssl_request(caps=DEFAULT_CAPS, seq=1):
    body = ((caps | CLIENT_SSL).to_bytes(4, "little") + (1 << 24).to_bytes(4, "little")
            + bytes([45]) + bytes(23))
    return packet(seq, body)


def handshake_response(user, auth, plugin=NATIVE, db="app", caps=DEFAULT_CAPS):
    if db is None:
        caps &= ~CLIENT_CONNECT_WITH_DB
    body = (caps.to_bytes(4, "little") + (1 << 24).to_bytes(4, "little") + bytes([45])
            + bytes(23) + user.encode() + b"\0" + bytes([len(auth)]) + auth)
    if db is not None:
        body += db.encode() + b"\0"
    return body + plugin.encode() + b"\0"


class MemoryTls:
    """TLS client state on memory BIOs over a plain socket."""

    def __init__(self, sock, context=None):
        if context is None:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        self.sock = sock
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = context.wrap_bio(self.inc, self.out, server_side=False)

    def first_flight(self):
        """The ClientHello bytes, to be sent by the caller."""
        try:
            self.obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        return self.out.read()

    def finish_handshake(self):
        while True:
            try:
                self.obj.do_handshake()
                self.sock.sendall(self.out.read())
                return
            except ssl.SSLWantReadError:
                pending = self.out.read()
                if pending:
                    self.sock.sendall(pending)
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("closed during the TLS handshake")
                self.inc.write(data)

    def sendall(self, data):
        self.obj.write(data)
        self.sock.sendall(self.out.read())

    def recv(self, n):
        while True:
            try:
                return self.obj.read(n)
            except ssl.SSLWantReadError:
                data = self.sock.recv(65536)
                if not data:
                    return b""
                self.inc.write(data)
            except ssl.SSLZeroReturnError:
                return b""


class MyConn:
    def __init__(self, host, port, timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.io = self.sock  # the socket, or MemoryTls once TLS is up
        self.seq = 0
        self.greeting = None

    # ---- packets ----

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.io.recv(n - len(buf))
            if not chunk:
                raise ConnectionError(f"closed after {len(buf)} of {n} bytes")
            buf += chunk
        return buf

    def read_packet(self):
        head = self.recv_exact(4)
        n = int.from_bytes(head[:3], "little")
        self.seq = (head[3] + 1) & 0xFF
        return self.recv_exact(n)

    def send(self, raw):
        self.io.sendall(raw)

    def send_packet(self, body):
        self.send(packet(self.seq, body))
        self.seq = (self.seq + 1) & 0xFF

    def read_greeting(self):
        self.greeting = parse_greeting(self.read_packet())
        return self.greeting

    def closed_by_peer(self, timeout=10):
        """True when the peer closes the connection (EOF or reset) within TIMEOUT,
        after possibly sending an ERR packet (then in self.last_error). What
        arrived meanwhile is kept in self.received."""
        self.last_error = None
        self.received = b""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.io.recv(65536)
                if not chunk:
                    break
                self.received += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
        except socket.timeout:
            return False
        data = self.received
        if len(data) >= 5 and data[4] == 0xFF:
            n = int.from_bytes(data[:3], "little")
            self.last_error = parse_err(data[4:4 + n])
        return True

    # ---- login ----

    def start_tls(self, glue=b"", context=None):
        """Sends the SSL request (followed by GLUE, or by the ClientHello itself
        when GLUE is None) and completes the TLS handshake."""
        tls = MemoryTls(self.sock, context)
        hello = tls.first_flight()
        if glue is None:
            self.sock.sendall(ssl_request(seq=self.seq) + hello)
        else:
            self.sock.sendall(ssl_request(seq=self.seq) + glue)
            self.sock.sendall(hello)
        self.seq += 1
        tls.finish_handshake()
        self.io = tls

    def login(self, user, password, db="app", plugin=NATIVE, tls=False, first_auth=None):
        """Logs in; raises ServerError on ERR. Returns the plugins used.
        FIRST_AUTH, when given, replaces the computed answer in the handshake
        response (to force caching_sha2_password's full authentication)."""
        if self.greeting is None:
            self.read_greeting()
        scramble = self.greeting[2]
        if tls:
            self.start_tls(glue=None)
        pw = password.encode() if isinstance(password, str) else password
        caps = DEFAULT_CAPS | (CLIENT_SSL if tls else 0)
        auth = scramble_for(plugin, pw, scramble) if first_auth is None else first_auth
        self.send_packet(handshake_response(user, auth, plugin, db, caps))
        used = [plugin]
        while True:
            p = self.read_packet()
            if p[0] == 0x00:
                return used
            if p[0] == 0xFF:
                raise parse_err(p)
            if p[0] == 0xFE:
                name, _, data = p[1:].partition(b"\0")
                plugin = name.decode()
                used.append(plugin)
                self.last_switch = p
                scramble = data[:20]
                self.send_packet(scramble_for(plugin, pw, scramble))
                continue
            if p[0] == 0x01 and p[1:] == b"\x03":
                continue  # caching_sha2 fast auth succeeded; OK follows
            if p[0] == 0x01 and p[1:] == b"\x04" and tls:
                self.send_packet(pw + b"\0")
                continue
            if p[0] == 0x01 and p[1:] == b"\x04":
                self.send_packet(b"\x02")  # request the public key
                continue
            if p[0] == 0x01 and p[1:].startswith(b"-----BEGIN PUBLIC KEY"):
                self.public_key = p[1:]
                self.send_packet(rsa_encrypt_password(pw, scramble, p[1:]))
                continue
            raise AssertionError(f"unexpected packet during login: {p[:40]!r}")

    # ---- commands ----

    def command(self, cmd, payload=b""):
        self.seq = 0
        self.send_packet(bytes([cmd]) + payload)

    def query(self, sql):
        """Runs SQL (text protocol, EOF packets); returns the rows of the first
        result set as tuples of str/None, or the OK packet as bytes."""
        self.command(COM_QUERY, sql.encode())
        first = self.read_packet()
        if first[0] == 0xFF:
            raise parse_err(first)
        if first[0] == 0x00:
            return first
        ncols = first[0]
        for _ in range(ncols):
            self.read_packet()
        eof = self.read_packet()
        assert eof[0] == 0xFE
        rows = []
        while True:
            p = self.read_packet()
            if p[0] == 0xFE and len(p) < 9:
                break
            if p[0] == 0xFF:
                raise parse_err(p)
            rows.append(tuple(_read_row(p, ncols)))
        return rows

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _read_row(p, ncols):
    i = 0
    for _ in range(ncols):
        if p[i] == 0xFB:
            i += 1
            yield None
            continue
        n, i = _lenenc(p, i)
        yield p[i:i + n].decode()
        i += n


def _lenenc(p, i):
    b = p[i]
    if b < 0xFB:
        return b, i + 1
    if b == 0xFC:
        return int.from_bytes(p[i + 1:i + 3], "little"), i + 3
    if b == 0xFD:
        return int.from_bytes(p[i + 1:i + 4], "little"), i + 4
    return int.from_bytes(p[i + 1:i + 9], "little"), i + 9
