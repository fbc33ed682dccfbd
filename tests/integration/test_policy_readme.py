"""The README's example policy refuses none of the statements pgbench (every
query mode) and sysbench (every oltp_* script, prepared and text protocol)
send, while still refusing what it is there to refuse."""
import re

import psycopg2
import pymysql
import pytest

from dbward_helpers import my_config, pg_config
from policy_helpers import blocked_lines, readme_policy, with_policies, would_block_lines
from servers import APP_PASSWORD
from test_my_sysbench import run_through, sysbench_db  # noqa: F401 (fixture)
from test_pg_pgbench import assert_clean as pgbench_clean
from test_pg_pgbench import pgbench

def sysbench_clean(rc, out):
    """No refusal: a refused statement is a FATAL error for sysbench. (The
    deadlocks and duplicate keys of concurrent oltp_delete/insert runs are
    sysbench's own "ignored errors", as they are without dbward.)"""
    assert rc == 0, out
    assert "FATAL" not in out, out
    assert re.search(r"reconnects:\s+0\s", out), out
    m = re.search(r"transactions:\s+(\d+)", out)
    assert m and int(m.group(1)) > 0, out


SYSBENCH_SCRIPTS = ["oltp_read_write", "oltp_read_only", "oltp_write_only", "oltp_point_select",
                    "oltp_insert", "oltp_delete", "oltp_update_index", "oltp_update_non_index"]


def test_readme_policy_passes_check_config(pg_server, maria_server, tmp_path):
    import subprocess
    from dbward_helpers import dbward_bin
    path = tmp_path / "dbward.yaml"
    path.write_text(with_policies(pg_config(pg_server), readme_policy()))
    res = subprocess.run([dbward_bin(), "--check-config", str(path)], capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.deadline(120)
def test_pgbench_all_modes_under_readme_policy(pgbench_db, start_dbward):
    proxy = start_dbward(with_policies(pg_config(pgbench_db), readme_policy()))
    for mode in ["simple", "extended", "prepared"]:
        # -n: the pre-run VACUUM is an admin statement the policy denies.
        pgbench_clean(*pgbench(proxy, "-n", "-M", mode, "-c", "4", "-j", "2", "-T", "3"))
        pgbench_clean(*pgbench(proxy, "-n", "-S", "-M", mode, "-c", "4", "-j", "2", "-T", "2"))
        pgbench_clean(*pgbench(proxy, "-n", "-N", "-M", mode, "-c", "4", "-j", "2", "-T", "2"))
    assert not blocked_lines(proxy) and not would_block_lines(proxy), proxy.log_tail()
    conn = proxy.connect(dbname="app")
    with pytest.raises(psycopg2.Error) as exc:
        conn.cursor().execute("DROP TABLE pgbench_history")
    assert exc.value.pgcode == "42501"
    conn.close()


@pytest.mark.deadline(240)
def test_sysbench_all_oltp_scripts_under_readme_policy(sysbench_db, start_dbward):  # noqa: F811
    proxy = start_dbward(with_policies(my_config(sysbench_db, size=8), readme_policy()))
    for script in SYSBENCH_SCRIPTS:
        sysbench_clean(*run_through(proxy, script, threads=4, seconds=2))
    for script in ["oltp_read_write", "oltp_point_select"]:
        sysbench_clean(*run_through(proxy, script, "--db-ps-mode=disable", threads=4, seconds=2))
    assert not blocked_lines(proxy) and not would_block_lines(proxy), proxy.log_tail()
    conn = pymysql.connect(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                           database="app")
    with pytest.raises(pymysql.err.MySQLError) as exc:
        conn.cursor().execute("SELECT User FROM mysql.user")
    assert exc.value.args[0] == 1227
    conn.close()
