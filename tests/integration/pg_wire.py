"""A minimal PostgreSQL v3 wire client over a raw socket.

Used by tests that must control exact bytes: malformed or oversized startup
packets, SSLRequest / GSSENCRequest handling, pipelined extended-protocol
batches. Implements SCRAM-SHA-256, md5 and cleartext password login.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct

PROTOCOL_3_0 = 196608
SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102

AUTH_OK, AUTH_CLEARTEXT, AUTH_MD5, AUTH_SASL, AUTH_SASL_CONTINUE, AUTH_SASL_FINAL = 0, 3, 5, 10, 11, 12


class ServerError(Exception):
    def __init__(self, fields):
        self.fields = fields
        super().__init__(f"{fields.get('C')}: {fields.get('M')}")

    @property
    def sqlstate(self):
        return self.fields.get("C")


def startup_packet(params, version=PROTOCOL_3_0):
    body = struct.pack("!I", version)
    for k, v in params.items():
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack("!I", len(body) + 4) + body


def request_packet(code):
    """SSLRequest / GSSENCRequest: length 8 and a magic protocol number."""
    return struct.pack("!II", 8, code)


def cancel_packet(pid, key):
    return struct.pack("!IIII", 16, CANCEL_REQUEST_CODE, pid, key)


def message(kind, payload=b""):
    return kind + struct.pack("!I", len(payload) + 4) + payload


def cstr(s):
    return s.encode() + b"\0"


def parse_msg(name, sql, param_types=()):
    payload = cstr(name) + cstr(sql) + struct.pack("!H", len(param_types))
    payload += b"".join(struct.pack("!I", t) for t in param_types)
    return message(b"P", payload)


def bind_msg(portal, stmt, params=()):
    payload = cstr(portal) + cstr(stmt) + struct.pack("!H", 0) + struct.pack("!H", len(params))
    for p in params:
        if p is None:
            payload += struct.pack("!i", -1)
        else:
            b = str(p).encode()
            payload += struct.pack("!I", len(b)) + b
    payload += struct.pack("!H", 0)
    return message(b"B", payload)


def describe_msg(kind, name):
    return message(b"D", kind + cstr(name))


def execute_msg(portal="", max_rows=0):
    return message(b"E", cstr(portal) + struct.pack("!I", max_rows))


def close_msg(kind, name):
    return message(b"C", kind + cstr(name))


SYNC = message(b"S")
FLUSH = message(b"H")
TERMINATE = message(b"X")


def error_fields(payload):
    fields = {}
    for part in payload.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode(errors="replace")
    return fields


def data_row(payload):
    n = struct.unpack("!H", payload[:2])[0]
    off, vals = 2, []
    for _ in range(n):
        ln = struct.unpack("!i", payload[off:off + 4])[0]
        off += 4
        if ln < 0:
            vals.append(None)
        else:
            vals.append(payload[off:off + ln].decode())
            off += ln
    return tuple(vals)


class ScramClient:
    def __init__(self, password):
        self.password = password.encode()
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.first_bare = f"n=,r={self.nonce}"

    def first_message(self):
        return ("n,," + self.first_bare).encode()

    def final_message(self, server_first):
        attrs = dict(kv.split("=", 1) for kv in server_first.decode().split(","))
        if not attrs["r"].startswith(self.nonce):
            raise ValueError("server nonce does not extend the client nonce")
        salt = base64.b64decode(attrs["s"])
        salted = hashlib.pbkdf2_hmac("sha256", self.password, salt, int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored = hashlib.sha256(client_key).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        self.auth_message = f"{self.first_bare},{server_first.decode()},{without_proof}".encode()
        sig = hmac.new(stored, self.auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, sig))
        self.server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        return (without_proof + ",p=" + base64.b64encode(proof).decode()).encode()

    def verify_final(self, server_final):
        expected = hmac.new(self.server_key, self.auth_message, hashlib.sha256).digest()
        attrs = dict(kv.split("=", 1) for kv in server_final.decode().split(","))
        if base64.b64decode(attrs["v"]) != expected:
            raise ValueError("bad server signature")


class WireConn:
    def __init__(self, host, port, timeout=10.0, sock=None):
        self.sock = sock or socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.params = {}
        self.backend_key = None
        self.auth_codes = []

    def send(self, data):
        self.sock.sendall(data)

    def recv_some(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by peer")
        self.buf += chunk

    def read_exact(self, n):
        while len(self.buf) < n:
            self.recv_some()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_msg(self):
        head = self.read_exact(5)
        kind, ln = head[:1], struct.unpack("!I", head[1:])[0]
        if ln < 4 or ln > 1 << 30:
            raise ValueError(f"bad message length {ln}")
        return kind, self.read_exact(ln - 4)

    def read_until_closed(self):
        """Reads until EOF; returns everything received. Raises socket.timeout
        if the peer keeps the connection open."""
        data = self.buf
        self.buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk

    def login(self, user, password, database, extra=None, version=PROTOCOL_3_0):
        params = {"user": user, "database": database}
        params.update(extra or {})
        self.send(startup_packet(params, version))
        scram = None
        while True:
            kind, payload = self.read_msg()
            if kind == b"R":
                code = struct.unpack("!I", payload[:4])[0]
                self.auth_codes.append(code)
                if code == AUTH_OK:
                    continue
                if code == AUTH_CLEARTEXT:
                    self.send(message(b"p", cstr(password)))
                elif code == AUTH_MD5:
                    inner = hashlib.md5((password + user).encode()).hexdigest()
                    outer = hashlib.md5(inner.encode() + payload[4:8]).hexdigest()
                    self.send(message(b"p", cstr("md5" + outer)))
                elif code == AUTH_SASL:
                    mechs = [m.decode() for m in payload[4:].split(b"\0") if m]
                    if "SCRAM-SHA-256" not in mechs:
                        raise ValueError(f"no SCRAM-SHA-256 in {mechs}")
                    scram = ScramClient(password)
                    first = scram.first_message()
                    self.send(message(b"p", cstr("SCRAM-SHA-256") + struct.pack("!I", len(first))
                                      + first))
                elif code == AUTH_SASL_CONTINUE:
                    self.send(message(b"p", scram.final_message(payload[4:])))
                elif code == AUTH_SASL_FINAL:
                    scram.verify_final(payload[4:])
                else:
                    raise ValueError(f"unsupported auth request {code}")
            elif kind == b"S":
                k, v = payload.split(b"\0")[:2]
                self.params[k.decode()] = v.decode()
            elif kind == b"K":
                self.backend_key = struct.unpack("!II", payload)
            elif kind == b"Z":
                return payload
            elif kind == b"E":
                raise ServerError(error_fields(payload))
            elif kind == b"N":
                continue
            else:
                raise ValueError(f"unexpected message {kind!r} during login")

    def collect(self, n_ready=1):
        """Reads messages up to the N-th ReadyForQuery. Returns a list of
        (kind, value) where value is a row tuple for DataRow, the fields for an
        ErrorResponse, the tag for CommandComplete, else the raw payload."""
        out = []
        seen = 0
        while seen < n_ready:
            kind, payload = self.read_msg()
            if kind == b"D":
                out.append((kind, data_row(payload)))
            elif kind == b"E":
                out.append((kind, error_fields(payload)))
            elif kind == b"C":
                out.append((kind, payload.rstrip(b"\0").decode()))
            else:
                out.append((kind, payload))
            if kind == b"Z":
                seen += 1
        return out

    def query(self, sql):
        """Simple query; returns rows, raises ServerError on an ErrorResponse."""
        self.send(message(b"Q", cstr(sql)))
        msgs = self.collect()
        for kind, val in msgs:
            if kind == b"E":
                raise ServerError(val)
        return [val for kind, val in msgs if kind == b"D"]

    def close(self):
        try:
            self.send(TERMINATE)
        except OSError:
            pass
        self.sock.close()
