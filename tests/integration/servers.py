"""Throwaway PostgreSQL 15 and MariaDB servers for the integration tests.

Each server lives in its own directory under /tmp, listens on a free loopback
port and is removed when the test session ends. PostgreSQL refuses to run as
root, so when the tests run as root the servers run as the system's `postgres`
and `mysql` users (their data directories are chowned to them).
"""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

PG_BIN = "/usr/lib/postgresql/15/bin"

# Accounts created on the servers. The same names and passwords are used in
# dbward's `users` section so dbward can log in to the backend as the client.
APP_USER = "app"
APP_PASSWORD = "app-Pw-7f3c9e"
MD5_USER = "md5user"          # authenticated by the server with md5
MD5_PASSWORD = "md5-Pw-41a0"
CLEAR_USER = "pwuser"         # authenticated by the server with cleartext `password`
CLEAR_PASSWORD = "clear-Pw-9b2d"

IS_ROOT = os.geteuid() == 0


def free_port():
    """A currently unused TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chown_tree(path, user):
    if not IS_ROOT:
        return
    pw = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for name in files:
            os.chown(os.path.join(root, name), pw.pw_uid, pw.pw_gid)


def _as_user(user, argv):
    return ["runuser", "-u", user, "--"] + argv if IS_ROOT else argv


def make_self_signed_cert(directory, name="server", cn="localhost"):
    """Writes NAME.crt / NAME.key (RSA 2048, valid for localhost and 127.0.0.1)."""
    crt = os.path.join(directory, name + ".crt")
    key = os.path.join(directory, name + ".key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3",
         "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", key, "-out", crt],
        check=True, capture_output=True, timeout=60)
    os.chmod(key, 0o600)
    return crt, key


class PgServer:
    """A PostgreSQL 15 cluster: TLS on, SCRAM for TCP, trust on its unix socket."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dbward-it-pg-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.datadir = os.path.join(self.dir, "data")
        self.socket_dir = self.dir
        self.host = "127.0.0.1"
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "server.log")
        self.cert, self.key = make_self_signed_cert(self.dir)
        self.app_password = APP_PASSWORD

    def start(self):
        _chown_tree(self.dir, "postgres")
        self._run_pg(["initdb", "-D", self.datadir, "-U", "postgres", "-E", "UTF8",
                      "--locale=C", "--no-sync", "--auth-local=trust",
                      "--auth-host=scram-sha-256"])
        with open(os.path.join(self.datadir, "postgresql.conf"), "a") as f:
            f.write(f"""
listen_addresses = '127.0.0.1'
port = {self.port}
unix_socket_directories = '{self.socket_dir}'
max_connections = 300
password_encryption = 'scram-sha-256'
ssl = on
ssl_cert_file = '{self.cert}'
ssl_key_file = '{self.key}'
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
""")
        # First matching line wins: the md5 and cleartext users get their own methods.
        with open(os.path.join(self.datadir, "pg_hba.conf"), "w") as f:
            f.write(f"""local all all trust
host all {MD5_USER} 127.0.0.1/32 md5
host all {CLEAR_USER} 127.0.0.1/32 password
host all all 127.0.0.1/32 scram-sha-256
""")
        _chown_tree(self.dir, "postgres")
        self._run_pg(["pg_ctl", "-D", self.datadir, "-l", self.log_path, "-w", "-t", "60",
                      "start"])
        self.psql(f"""
CREATE ROLE {APP_USER} LOGIN PASSWORD '{APP_PASSWORD}';
CREATE DATABASE app OWNER {APP_USER};
SET password_encryption = 'md5';
CREATE ROLE {MD5_USER} LOGIN PASSWORD '{MD5_PASSWORD}';
RESET password_encryption;
CREATE ROLE {CLEAR_USER} LOGIN PASSWORD '{CLEAR_PASSWORD}';
""")
        return self

    def _run_pg(self, argv):
        argv = [os.path.join(PG_BIN, argv[0])] + argv[1:]
        res = subprocess.run(_as_user("postgres", argv), capture_output=True, text=True,
                             timeout=120, cwd="/tmp")
        if res.returncode != 0:
            log = ""
            if os.path.exists(self.log_path):
                with open(self.log_path) as f:
                    log = f.read()[-4000:]
            raise RuntimeError(f"{argv} failed: {res.stdout}{res.stderr}{log}")
        return res.stdout

    def psql(self, sql, dbname="postgres", user="postgres"):
        """Runs SQL as USER over the unix socket; returns unaligned, tuples-only output."""
        res = subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.socket_dir,
             "-p", str(self.port), "-U", user, "-d", dbname],
            input=sql, capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            raise RuntimeError(f"psql failed ({res.returncode}): {res.stderr}")
        return res.stdout.strip()

    def superuser_conn(self, dbname="app"):
        """A psycopg2 connection as postgres over the unix socket (autocommit)."""
        import psycopg2
        conn = psycopg2.connect(host=self.socket_dir, port=self.port, user="postgres",
                                dbname=dbname)
        conn.autocommit = True
        return conn

    def direct_conn(self, user=APP_USER, password=APP_PASSWORD, dbname="app", **kw):
        """A psycopg2 connection straight to the server over TCP (no dbward)."""
        import psycopg2
        return psycopg2.connect(host=self.host, port=self.port, user=user,
                                password=password, dbname=dbname, connect_timeout=10, **kw)

    def stop(self):
        try:
            self._run_pg(["pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop"])
        except Exception:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class MariaServer:
    """A MariaDB 10.11 server: user app@% (mysql_native_password), database app."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dbward-it-maria-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mariadb.sock")
        self.host = "127.0.0.1"
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "error.log")
        self.cert, self.key = make_self_signed_cert(self.dir)
        self.app_password = APP_PASSWORD
        self.proc = None

    def start(self):
        user_opt = ["--user=mysql"] if IS_ROOT else []
        os.makedirs(self.datadir)
        _chown_tree(self.dir, "mysql")
        res = subprocess.run(
            ["mariadb-install-db", "--no-defaults", "--datadir=" + self.datadir,
             "--auth-root-authentication-method=normal", "--skip-test-db"] + user_opt,
            capture_output=True, text=True, timeout=180, cwd="/tmp")
        if res.returncode != 0:
            raise RuntimeError("mariadb-install-db failed: " + res.stdout + res.stderr)
        self.proc = subprocess.Popen(
            ["mariadbd", "--no-defaults", "--datadir=" + self.datadir,
             "--socket=" + self.socket, "--port=" + str(self.port),
             "--bind-address=127.0.0.1", "--skip-name-resolve",
             "--pid-file=" + os.path.join(self.dir, "mariadb.pid"),
             "--log-error=" + self.log_path, "--max-connections=300",
             "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=2",
             "--ssl-cert=" + self.cert, "--ssl-key=" + self.key] + user_opt,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd="/tmp")
        deadline = time.time() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("mariadbd exited: " + self._log_tail())
            if os.path.exists(self.socket) and self._ping():
                break
            if time.time() > deadline:
                raise RuntimeError("mariadbd did not start: " + self._log_tail())
            time.sleep(0.1)
        stmts = ["CREATE DATABASE app"]
        for host in ("%", "127.0.0.1", "localhost"):
            stmts += [
                f"CREATE USER '{APP_USER}'@'{host}' IDENTIFIED VIA mysql_native_password "
                f"USING PASSWORD('{APP_PASSWORD}')",
                f"GRANT ALL PRIVILEGES ON app.* TO '{APP_USER}'@'{host}'",
            ]
        self.sql(";\n".join(stmts) + ";")
        return self

    def _ping(self):
        return subprocess.run(["mariadb", "--no-defaults", "-S", self.socket, "-uroot", "-e",
                               "SELECT 1"], capture_output=True, timeout=30).returncode == 0

    def _log_tail(self):
        try:
            with open(self.log_path) as f:
                return f.read()[-4000:]
        except OSError:
            return "(no log)"

    def sql(self, sql, database=None):
        """Runs SQL as root over the unix socket; returns tab-separated output."""
        argv = ["mariadb", "--no-defaults", "-S", self.socket, "-uroot", "-N", "-B"]
        if database:
            argv.append(database)
        res = subprocess.run(argv, input=sql, capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            raise RuntimeError(f"mariadb failed ({res.returncode}): {res.stderr}")
        return res.stdout.strip()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)
