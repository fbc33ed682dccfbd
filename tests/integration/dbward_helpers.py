"""Starting dbward for a test, and the configs the tests give it.

A test builds a config (usually with `pg_config`), hands it to the
`start_dbward` fixture and gets a `Dbward` handle back. The fixture stops the
process after the test and fails the test if dbward died, did not stop cleanly
on SIGTERM, or a sanitizer reported anything in its log.
"""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

from servers import APP_PASSWORD, APP_USER, free_port

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer",
                     "ERROR: ThreadSanitizer", "SUMMARY: UndefinedBehaviorSanitizer")


def dbward_bin():
    path = os.environ.get("DBWARD_BIN", "build/dbward")
    return path if os.path.isabs(path) else os.path.join(REPO, path)


def wait_for(pred, timeout=10):
    """Polls PRED until it is true or TIMEOUT seconds pass; returns its last value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


def wait_port(host, port, timeout, alive=lambda: True):
    """True once HOST:PORT accepts a TCP connection, False after TIMEOUT seconds
    or as soon as ALIVE() turns false."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not alive():
            return False
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


_PLAIN = re.compile(r"^[A-Za-z_/.][A-Za-z0-9_./:@*-]*$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _scalar(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return str(v)
    s = str(v)
    if re.match(r"^[0-9][0-9.:]*[0-9A-Za-z]*$", s) and not s.isdigit():
        return s  # durations and addresses: 5s, 250ms, 127.0.0.1:5432
    if _PLAIN.match(s) and s.lower() not in _YAML_WORDS:
        return s
    return json.dumps(s)


def to_yaml(obj, indent=0):
    """Block-style YAML for the dicts, lists and scalars a dbward config is made of."""
    pad = "  " * indent
    lines = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, dict) and v:
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(v, indent + 1))
            elif isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(v, indent + 1))
            elif isinstance(v, list):
                lines.append(f"{pad}{k}: [" + ", ".join(_scalar(x) for x in v) + "]")
            elif isinstance(v, dict):
                lines.append(f"{pad}{k}: {{}}")
            else:
                lines.append(f"{pad}{k}: {_scalar(v)}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict):
                sub = to_yaml(item, indent + 1).split("\n")
                sub[0] = pad + "- " + sub[0][len(pad) + 2:]
                lines.extend(sub)
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    return "\n".join(lines)


def app_user(auth=None, name=APP_USER, password=APP_PASSWORD, **extra):
    """A `users` entry; AUTH is scram-sha-256 (default), md5 or password."""
    u = {"name": name, "password": password}
    if auth:
        u["auth"] = auth
    u.update(extra)
    return u


def _config(listener, backend, *, listen_port, mode, size, users, listener_tls, timeouts,
            workers, pool_extra, listener_extra):
    """One listener in front of one backend: what pg_config and my_config share."""
    listener = dict(listener, listen=f"127.0.0.1:{listen_port or free_port()}")
    if listener_tls:
        listener["tls"] = listener_tls
    listener.update(listener_extra or {})
    pool = {"mode": mode, "size": size}
    pool.update(pool_extra or {})
    backend = dict(backend, pool=pool)
    t = {"connect": "5s", "login": "10s", "pool_wait": "5s"}
    t.update(timeouts or {})
    return {
        "workers": workers,
        "listeners": [listener],
        "backends": [backend],
        "users": users if users is not None else [app_user()],
        "timeouts": t,
    }


def pg_config(pg, listen_port=None, *, mode="transaction", size=20, users=None,
              listener_tls=None, backend_tls=None, timeouts=None, workers=2,
              pool_extra=None, listener_extra=None):
    """The standard config: one postgres listener in front of the test server."""
    backend = {"name": "pg-main", "protocol": "postgres", "address": f"{pg.host}:{pg.port}"}
    if backend_tls:
        backend["tls"] = backend_tls
    return _config({"name": "pg", "protocol": "postgres", "backend": "pg-main"}, backend,
                   listen_port=listen_port, mode=mode, size=size, users=users,
                   listener_tls=listener_tls, timeouts=timeouts, workers=workers,
                   pool_extra=pool_extra, listener_extra=listener_extra)


def my_config(maria, listen_port=None, *, mode="transaction", size=20, users=None,
              listener_tls=None, backend_tls=None, timeouts=None, workers=2,
              pool_extra=None, listener_extra=None):
    """The standard MySQL config: one mysql listener in front of the MariaDB test
    server. Backend TLS is off unless BACKEND_TLS says otherwise."""
    backend = {"name": "maria-main", "protocol": "mysql",
               "address": f"{maria.host}:{maria.port}", "tls": backend_tls or {"mode": "disable"}}
    return _config({"name": "my", "protocol": "mysql", "backend": "maria-main"}, backend,
                   listen_port=listen_port, mode=mode, size=size, users=users,
                   listener_tls=listener_tls, timeouts=timeouts, workers=workers,
                   pool_extra=pool_extra, listener_extra=listener_extra)


def listen_ports(config_text):
    return [int(p) for p in re.findall(r"listen:\s*[\"']?127\.0\.0\.1:(\d+)", config_text)]


class Dbward:
    """One running dbward process."""

    def __init__(self, config_text, workdir, name="dbward"):
        self.config_text = config_text
        self.config_path = os.path.join(workdir, name + ".yaml")
        self.log_path = os.path.join(workdir, name + ".log")
        self.host = "127.0.0.1"
        self.ports = listen_ports(config_text)
        self.port = self.ports[0] if self.ports else None
        self.proc = None
        self.killed_by_watchdog = False
        fd = os.open(self.config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(config_text + "\n")

    def start(self, timeout=20):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([dbward_bin(), "-c", self.config_path],
                                     stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, cwd=REPO)
        for port in self.ports:
            if not wait_port(self.host, port, timeout, alive=lambda: self.proc.poll() is None):
                rc = self.proc.poll()
                state = f"exited with {rc}" if rc is not None else "still not listening"
                raise RuntimeError(f"dbward {state} on port {port} after start; log:\n"
                                   + self.log_tail())
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=60):
        return "\n".join(self.log_text().splitlines()[-n:])

    def signal(self, sig):
        self.proc.send_signal(sig)

    def terminate(self, timeout=20):
        """SIGTERM, as an operator would; returns the exit status. The test's
        own stop then only checks the log."""
        self.proc.send_signal(signal.SIGTERM)
        self.terminated_rc = self.proc.wait(timeout)
        return self.terminated_rc

    def kill_now(self):
        """Used by the test watchdog: unblocks clients waiting on a hung proxy."""
        if self.alive():
            self.killed_by_watchdog = True
            self.proc.kill()

    def stop(self):
        """SIGTERM and wait; returns a list of problems (empty when all is well)."""
        problems = []
        if self.proc is None:
            return problems
        if self.killed_by_watchdog:
            problems.append("test exceeded its deadline; dbward was killed")
        elif getattr(self, "terminated_rc", None) is not None:
            if self.terminated_rc != 0:
                problems.append(f"dbward exited with status {self.terminated_rc} after SIGTERM")
        elif self.proc.poll() is not None:
            problems.append(f"dbward died during the test (exit status {self.proc.returncode})")
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(20)
                if rc != 0:
                    problems.append(f"dbward exited with status {rc} after SIGTERM")
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                problems.append("dbward did not exit within 20s of SIGTERM")
        self._log.close()
        log = self.log_text()
        hits = [ln for ln in log.splitlines() if any(m in ln for m in SANITIZER_MARKERS)]
        if hits:
            problems.append("sanitizer report in the dbward log:\n" + "\n".join(hits[:20]))
        if problems:
            problems.append("dbward log (tail):\n" + self.log_tail(80))
        return problems

    def dsn(self, user=APP_USER, password=APP_PASSWORD, dbname="app", **kw):
        """Keyword arguments for psycopg2.connect through this dbward."""
        args = dict(host=self.host, port=self.port, user=user, password=password,
                    dbname=dbname, connect_timeout=10)
        args.update(kw)
        return args

    def connect(self, user=APP_USER, password=APP_PASSWORD, dbname="app", **kw):
        import psycopg2
        return psycopg2.connect(**self.dsn(user, password, dbname, **kw))

    def conninfo(self, user=APP_USER, dbname="app", **kw):
        """A libpq connection string (for psql / pgbench) through this dbward."""
        parts = [f"host={self.host}", f"port={self.port}", f"user={user}",
                 f"dbname={dbname}", "connect_timeout=10"]
        parts += [f"{k}={v}" for k, v in kw.items()]
        return " ".join(parts)


class Watchdog:
    """Kills a test's dbward processes when the test runs past its deadline, so a
    client blocked on a hung proxy gets a connection error instead of hanging
    the whole run."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.procs = []
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self):
        self._timer.start()

    def _fire(self):
        self.fired = True
        for p in list(self.procs):
            p.kill_now()

    def cancel(self):
        self._timer.cancel()
