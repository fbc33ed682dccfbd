"""Fixtures for dbward's integration tests.

Session-wide: a real PostgreSQL 15 (`pg_server`), a real MariaDB 10.11
(`maria_server`, started only when a test asks for it) and a certificate for
dbward's client-side TLS (`tls_files`). Per test: `start_dbward(config)` runs
a dbward with that config and checks it afterwards; `pg_proxy` and `my_proxy`
are a dbward with the standard PostgreSQL or MySQL config (transaction
pooling, pool size 20).

Every test has a deadline (default 60s, `@pytest.mark.deadline(seconds)` to
change it). Past it the test's dbward processes are killed, so clients blocked
on a hung proxy fail fast instead of stalling the whole run.
"""
import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dbward_helpers import Dbward, Watchdog, my_config, pg_config, to_yaml  # noqa: E402
from servers import MariaServer, PgServer, make_self_signed_cert  # noqa: E402

DEFAULT_DEADLINE = 60


def pytest_configure(config):
    config.addinivalue_line("markers", "deadline(seconds): per-test time limit")


@pytest.fixture(scope="session")
def pg_server():
    server = PgServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def maria_server():
    server = MariaServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


class TlsFiles:
    def __init__(self, directory):
        self.dir = directory
        self.cert, self.key = make_self_signed_cert(directory, "dbward")


@pytest.fixture(scope="session")
def tls_files():
    d = tempfile.mkdtemp(prefix="dbward-it-tls-", dir="/tmp")
    try:
        yield TlsFiles(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def pgbench_db(pg_server):
    """pgbench tables (scale 1) in database app, created directly on the server."""
    import subprocess
    env = dict(os.environ, PGPASSWORD=pg_server.app_password)
    res = subprocess.run(["pgbench", "-i", "-s", "1", "-q", "-h", pg_server.host, "-p",
                          str(pg_server.port), "-U", "app", "app"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    return pg_server


@pytest.fixture(autouse=True)
def _deadline(request):
    marker = request.node.get_closest_marker("deadline")
    dog = Watchdog(marker.args[0] if marker else DEFAULT_DEADLINE)
    dog.start()
    yield dog
    dog.cancel()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        for handle in getattr(item, "_dbward_handles", []):
            rep.sections.append((f"dbward log {handle.log_path}", handle.log_tail(80)))


@pytest.fixture
def start_dbward(request, tmp_path, _deadline):
    """start_dbward(config) -> Dbward. CONFIG is a dict (see dbward_helpers.pg_config)
    or YAML text. Waits until every listener accepts connections."""
    handles = []
    request.node._dbward_handles = handles

    def start(config, name=None, ready_timeout=20):
        text = config if isinstance(config, str) else to_yaml(config)
        handle = Dbward(text, str(tmp_path), name or f"dbward{len(handles) or ''}")
        handles.append(handle)
        _deadline.procs.append(handle)
        return handle.start(ready_timeout)

    yield start
    problems = []
    for handle in handles:
        problems += handle.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def pg_proxy(pg_server, start_dbward):
    """dbward in front of pg_server: transaction pooling, pool size 20."""
    return start_dbward(pg_config(pg_server))


@pytest.fixture
def my_proxy(maria_server, start_dbward):
    """dbward in front of maria_server: transaction pooling, pool size 20."""
    return start_dbward(my_config(maria_server))
