"""psql through dbward."""
import os
import subprocess

from servers import APP_PASSWORD


def psql(proxy, *args, input=None, password=APP_PASSWORD, timeout=60):
    env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="10")
    return subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", proxy.conninfo(),
                           *args], input=input, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_psql_command(pg_proxy):
    res = psql(pg_proxy, "-c", "SELECT 40 + 2, current_user, current_database()")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "42|app|app"


def test_psql_script_stops_on_error(pg_proxy):
    script = """
CREATE TEMP TABLE t (x int);
INSERT INTO t VALUES (1), (2);
SELECT 'before', sum(x) FROM t;
SELECT 1 / 0;
SELECT 'after';
"""
    res = psql(pg_proxy, input=script)
    assert res.returncode == 3, (res.returncode, res.stdout, res.stderr)
    assert "before|3" in res.stdout
    assert "after" not in res.stdout
    assert "division by zero" in res.stderr


def test_psql_error_exit_code_and_session_goes_on(pg_proxy):
    res = psql(pg_proxy, "-c", "SELECT * FROM no_such_table_here")
    assert res.returncode == 1
    assert "no_such_table_here" in res.stderr
    res = psql(pg_proxy, "-c", "SELECT 'still fine'")
    assert res.returncode == 0 and res.stdout.strip() == "still fine", res.stderr


def test_psql_transaction_block_and_copy(pg_proxy, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("".join(f"{i},name {i}\n" for i in range(1, 1001)))
    out = tmp_path / "out.csv"
    script = f"""
BEGIN;
CREATE TABLE psql_copy (id int PRIMARY KEY, name text);
\\copy psql_copy FROM '{src}' WITH (FORMAT csv)
COMMIT;
SELECT count(*), sum(id) FROM psql_copy;
\\copy (SELECT * FROM psql_copy ORDER BY id) TO '{out}' WITH (FORMAT csv)
DROP TABLE psql_copy;
"""
    res = psql(pg_proxy, input=script)
    assert res.returncode == 0, res.stderr
    assert "1000|500500" in res.stdout
    assert out.read_text() == src.read_text()


def test_psql_wrong_password(pg_proxy):
    res = psql(pg_proxy, "-c", "SELECT 1", password="not-the-password")
    assert res.returncode == 2
    assert "password authentication failed" in res.stderr
