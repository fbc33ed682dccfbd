"""pgbench through dbward in transaction pooling mode.

pgbench can print "number of failed transactions: 0" while every client
aborted (for example on a prepared-statement error), so the exit code and
any error/aborted line count too."""
import os
import re
import subprocess

import pytest

from dbward_helpers import pg_config
from servers import APP_PASSWORD


def pgbench(proxy, *args):
    env = dict(os.environ, PGPASSWORD=APP_PASSWORD, PGCONNECT_TIMEOUT="10")
    res = subprocess.run(["pgbench", "-h", proxy.host, "-p", str(proxy.port), "-U", "app",
                          *args, "app"], env=env, capture_output=True, text=True, timeout=60)
    return res.returncode, res.stdout + res.stderr


def assert_clean(rc, out):
    assert rc == 0, out
    assert re.search(r"number of failed transactions: 0\b", out), out
    bad = [ln for ln in out.splitlines() if re.search(r"error|aborted", ln, re.I)]
    assert not bad, out
    m = re.search(r"number of transactions actually processed: (\d+)", out)
    assert m and int(m.group(1)) > 0, out


@pytest.fixture
def bench_proxy(pgbench_db, start_dbward):
    return start_dbward(pg_config(pgbench_db, mode="transaction", size=20))


@pytest.mark.deadline(90)
@pytest.mark.parametrize("protocol", ["simple", "extended", "prepared"])
def test_pgbench_protocols(bench_proxy, protocol):
    assert_clean(*pgbench(bench_proxy, "-M", protocol, "-c", "8", "-j", "2", "-T", "5"))


@pytest.mark.deadline(90)
def test_pgbench_connect_per_transaction(bench_proxy):
    assert_clean(*pgbench(bench_proxy, "-C", "-c", "4", "-T", "5"))


@pytest.mark.deadline(90)
def test_pgbench_select_only_prepared_more_clients_than_pool(pgbench_db, start_dbward):
    proxy = start_dbward(pg_config(pgbench_db, mode="transaction", size=4))
    assert_clean(*pgbench(proxy, "-S", "-M", "prepared", "-c", "16", "-j", "2", "-T", "3"))
