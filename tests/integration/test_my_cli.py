"""The `mariadb` command-line client through dbward."""
import os
import subprocess

from servers import APP_PASSWORD


def mariadb(proxy, *args, password=APP_PASSWORD, user="app", stdin=None):
    env = dict(os.environ, MYSQL_PWD=password)
    res = subprocess.run(["mariadb", "--no-defaults", "--protocol=TCP", "-h", proxy.host,
                          "-P", str(proxy.port), "-u", user, "--connect-timeout=10", *args],
                         input=stdin, env=env, capture_output=True, text=True, timeout=60)
    return res.returncode, res.stdout, res.stderr


def test_several_statements_with_e(my_proxy):
    rc, out, err = mariadb(
        my_proxy, "-N", "-B", "app", "-e",
        "CREATE TEMPORARY TABLE cli_t (id INT, v VARCHAR(10)); "
        "INSERT INTO cli_t VALUES (1, 'one'), (2, 'two'); "
        "SELECT id, v FROM cli_t ORDER BY id; "
        "SELECT COUNT(*) FROM cli_t; SELECT DATABASE()")
    assert rc == 0, err
    assert out.splitlines() == ["1\tone", "2\ttwo", "2", "app"]


def test_error_exit_code_and_message(my_proxy):
    rc, out, err = mariadb(my_proxy, "app", "-e", "SELECT 1; SELECT * FROM no_such_table_cli")
    assert rc == 1
    assert "ERROR 1146" in err and "no_such_table_cli" in err


def test_script_on_stdin(my_proxy):
    script = "\n".join([
        "SELECT 'a' AS x;",
        "START TRANSACTION;",
        "SELECT @@in_transaction;",
        "COMMIT;",
        "SELECT @@in_transaction;",
        "delimiter //",
        "SELECT 'custom delimiter' //",
        "delimiter ;",
        "SELECT SLEEP(0);",
    ]) + "\n"
    rc, out, err = mariadb(my_proxy, "-N", "-B", "app", stdin=script)
    assert rc == 0, err
    assert out.splitlines() == ["a", "1", "0", "custom delimiter", "0"]


def test_wrong_password_exit_code(my_proxy):
    rc, out, err = mariadb(my_proxy, "app", "-e", "SELECT 1", password="wrong")
    assert rc == 1
    assert "ERROR 1045 (28000)" in err, err
