"""sysbench through dbward in transaction pooling mode.

sysbench's OLTP scripts use server-side prepared statements (COM_STMT_PREPARE
/ EXECUTE) unless told otherwise. They run with a pool as large as the thread
count (each thread can keep a connection) and with a smaller one, where
dbward moves the statements between server connections (re-preparing them
where needed). A run counts only with exit code 0, no FATAL line, and 0
ignored errors and 0 reconnects in sysbench's summary."""
import re
import subprocess

import pytest

from dbward_helpers import my_config
from servers import APP_PASSWORD

# Big enough, with uniformly drawn rows, that the workload itself causes no
# deadlocks (sysbench counts those as "ignored errors" even when run directly;
# its default distribution keeps hitting a few hot rows of small tables).
TABLES = 4
TABLE_SIZE = 10000


def sysbench(*args, timeout=90):
    res = subprocess.run(["sysbench", *args], capture_output=True, text=True, timeout=timeout)
    return res.returncode, res.stdout + res.stderr


@pytest.fixture(scope="module")
def sysbench_db(maria_server):
    """sbtest tables in database app, created directly on the server."""
    common = [f"--mysql-socket={maria_server.socket}", "--mysql-user=root", "--mysql-db=app",
              f"--tables={TABLES}", f"--table-size={TABLE_SIZE}"]
    sysbench("oltp_read_write", *common, "cleanup")
    rc, out = sysbench("oltp_read_write", *common, "prepare", timeout=180)
    assert rc == 0, out
    maria_server.sql("GRANT ALL PRIVILEGES ON app.* TO 'app'@'%'")
    yield maria_server
    sysbench("oltp_read_write", *common, "cleanup")


def run_through(proxy, test, *extra, threads=8, seconds=5):
    return sysbench(test, "--mysql-host=127.0.0.1", f"--mysql-port={proxy.port}",
                    "--mysql-user=app", f"--mysql-password={APP_PASSWORD}", "--mysql-db=app",
                    f"--tables={TABLES}", f"--table-size={TABLE_SIZE}",
                    f"--threads={threads}", f"--time={seconds}", "--report-interval=0",
                    "--rand-type=uniform",
                    *extra, "run")


def assert_clean(rc, out):
    assert rc == 0, out
    assert "FATAL" not in out, out
    assert re.search(r"ignored errors:\s+0\s", out), out
    assert re.search(r"reconnects:\s+0\s", out), out
    m = re.search(r"transactions:\s+(\d+)", out)
    assert m and int(m.group(1)) > 0, out


@pytest.mark.deadline(120)
@pytest.mark.parametrize("test", ["oltp_read_write", "oltp_point_select"])
def test_sysbench_prepared_statements(sysbench_db, start_dbward, test):
    proxy = start_dbward(my_config(sysbench_db, mode="transaction", size=10))
    assert_clean(*run_through(proxy, test))


@pytest.mark.deadline(120)
@pytest.mark.parametrize("test", ["oltp_read_write", "oltp_point_select"])
def test_sysbench_prepared_statements_more_threads_than_pool(sysbench_db, start_dbward, test):
    proxy = start_dbward(my_config(sysbench_db, mode="transaction", size=3,
                                   timeouts={"pool_wait": "30s"}))
    assert_clean(*run_through(proxy, test))


@pytest.mark.deadline(120)
@pytest.mark.parametrize("test", ["oltp_read_write", "oltp_point_select"])
def test_sysbench_text_protocol_more_threads_than_pool(sysbench_db, start_dbward, test):
    """The text protocol: 8 threads share 3 connections."""
    proxy = start_dbward(my_config(sysbench_db, mode="transaction", size=3,
                                   timeouts={"pool_wait": "30s"}))
    assert_clean(*run_through(proxy, test, "--db-ps-mode=disable"))
