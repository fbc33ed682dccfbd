"""`dbward --check-config`, `dbward -c` with a bad file, `dbward --version`."""
import os
import re
import subprocess
import textwrap

from dbward_helpers import REPO, dbward_bin, pg_config, to_yaml

SECRET = "hunter2-Secret-Value"


def run(*args, timeout=30):
    return subprocess.run([dbward_bin(), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, stdin=subprocess.DEVNULL)


def write(tmp_path, text, name="dbward.yaml", mode=0o600):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    os.chmod(path, mode)
    return str(path)


def error_lines(output, path):
    """(line, col, text) for each FILE:LINE:COL: error line about PATH."""
    out = []
    for ln in output.splitlines():
        m = re.match(re.escape(path) + r":(\d+):(\d+): (.*)$", ln)
        if m:
            out.append((int(m.group(1)), int(m.group(2)), m.group(3)))
    return out


def test_version():
    res = run("--version")
    assert res.returncode == 0, res.stderr
    assert re.search(r"\d+\.\d+\.\d+", res.stdout + res.stderr)


def test_valid_file_exits_0(tmp_path, pg_server):
    cfg = pg_config(pg_server, 6999)
    cfg["users"][0]["password"] = SECRET
    path = write(tmp_path, to_yaml(cfg))
    res = run("--check-config", path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert SECRET not in res.stdout + res.stderr


def test_every_error_reported_with_line(tmp_path):
    path = write(tmp_path, f"""
        workers: 2
        listeners:
          - name: pg
            protocol: postgres
            listen: 127.0.0.1:6432
            backend: nope
            colour: blue
        backends:
          - name: pg-main
            protocol: postgres
            address: 127.0.0.1:5432
            pool: {{ mode: transaction, size: 20 }}
        users:
          - name: app
            password: {SECRET}
        timeouts:
          login: 5 parsecs
        """)
    res = run("--check-config", path)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    errs = error_lines(out, path)
    assert all(col >= 1 for _, col, _ in errs), out
    # unknown key, at the key's own line
    assert any(line == 7 and "colour" in msg for line, _, msg in errs), out
    # a listener naming a backend that does not exist
    assert any(line == 6 and "backend" in msg for line, _, msg in errs), out
    # bad duration
    assert any(line == 17 and "login" in msg for line, _, msg in errs), out
    assert SECRET not in out


def test_more_kinds_of_errors(tmp_path):
    path = write(tmp_path, """
        listeners:
          - name: pg
            protocol: postgress
            listen: 127.0.0.1:99999
            backend: pg-main
          - name: pg
            protocol: postgres
            listen: 127.0.0.1:6433
            backend: pg-main
        backends:
          - name: pg-main
            protocol: postgres
            address: 127.0.0.1:5432
            pool: { mode: sometimes, size: -3 }
        users:
          - name: app
            password: x
        timeouts:
          connect: 5 s
          pool_wait: 5s
        """)
    res = run("--check-config", path)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    lines = {line for line, _, _ in error_lines(out, path)}
    # bad protocol, bad port, duplicate listener name, bad pool mode, bad size, bad duration
    for expected in (3, 4, 6, 14, 19):
        assert expected in lines, (expected, out)


def test_yaml_syntax_error(tmp_path):
    path = write(tmp_path, """
        workers: 2
        listeners:
          - name: pg
            listen: [127.0.0.1:6432
        """)
    res = run("--check-config", path)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert error_lines(out, path), out


def test_world_readable_password_file_refused(tmp_path, pg_server):
    pw = tmp_path / "pw"
    pw.write_text("secret\n")
    os.chmod(pw, 0o644)
    cfg = pg_config(pg_server, 6999, users=[{"name": "app", "password_file": str(pw)}])
    path = write(tmp_path, to_yaml(cfg))
    res = run("--check-config", path)
    assert res.returncode == 2, res.stdout + res.stderr
    os.chmod(pw, 0o600)
    res = run("--check-config", path)
    assert res.returncode == 0, res.stdout + res.stderr


def test_run_with_invalid_file_fails_fast(tmp_path):
    path = write(tmp_path, """
        workers: 2
        listeners:
          - name: pg
            protocol: postgres
            listen: 127.0.0.1:6432
            backend: missing
        """)
    res = run("-c", path, timeout=20)
    assert res.returncode != 0
    assert error_lines(res.stdout + res.stderr, path), res.stdout + res.stderr
