"""The audit trail through dbward with real clients: one record per
statement whatever its fate, login and connection records, valid JSON on
every line, a hash chain `dbward audit verify` checks, nothing lost on
SIGTERM, and a new file (continuing the chain) after SIGUSR1."""
import json
import os
import shutil
import signal
import stat
import subprocess
import time
import uuid

import psycopg2
import pymysql
import pytest

from dbward_helpers import dbward_bin, my_config, pg_config, to_yaml, wait_for
from servers import APP_PASSWORD

STATEMENT_EVENTS = {"query", "write", "admin", "security"}


def audit_dir(tmp_path):
    d = tmp_path / "audit"
    d.mkdir(mode=0o750)
    return d


def config_text(cfg, path, policies=None, **audit):
    a = {"path": str(path), "fsync": "interval", "fsync_interval": "100ms", "chain": "sha256"}
    a.update(audit)
    cfg = dict(cfg)
    cfg["audit"] = a
    if policies:
        cfg["policies"] = policies
    return to_yaml(cfg)


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def statement_records(recs):
    return [r for r in recs if r["event"] in STATEMENT_EVENTS
            and r["action"] in ("statement", "blocked")]


def verify(*files, key=None):
    argv = [dbward_bin(), "audit", "verify", *map(str, files)]
    if key:
        argv += ["--key-file", str(key)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


DENY_DDL = [{"name": "app", "match": {}, "statements": {"deny": ["ddl"]}}]


def test_one_record_per_statement_on_both_protocols(pg_server, maria_server, start_dbward,
                                                    tmp_path):
    path = audit_dir(tmp_path) / "audit.jsonl"
    cfg = pg_config(pg_server)
    my = my_config(maria_server)
    cfg["listeners"] += my["listeners"]
    cfg["backends"] += my["backends"]
    proxy = start_dbward(config_text(cfg, path, DENY_DDL))
    pg_port, my_port = proxy.ports
    t = f"aud_{uuid.uuid4().hex[:8]}"

    sent = 0
    conn = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                            dbname="app")
    conn.autocommit = True
    cur = conn.cursor()
    for i in range(5):
        cur.execute("SELECT %s::int + 1", (i,))
        sent += 1
    with pytest.raises(psycopg2.Error):
        cur.execute("SELECT * FROM no_such_table_at_all")   # fails on the server
    sent += 1
    with pytest.raises(psycopg2.Error):
        cur.execute(f"CREATE TABLE {t} (a int)")            # blocked by policy
    sent += 1
    conn.close()

    mconn = pymysql.connect(host=proxy.host, port=my_port, user="app", password=APP_PASSWORD,
                            database="app", autocommit=True)
    mcur = mconn.cursor()
    for i in range(4):
        mcur.execute("SELECT %s + 1", (i,))
        sent += 1
    with pytest.raises(pymysql.err.MySQLError):
        mcur.execute("SELECT * FROM no_such_table_at_all")
    sent += 1
    with pytest.raises(pymysql.err.MySQLError):
        mcur.execute(f"DROP TABLE {t}")
    sent += 1
    mconn.close()

    # Wrong password: an auth record, no password anywhere.
    with pytest.raises(psycopg2.Error):
        psycopg2.connect(host=proxy.host, port=pg_port, user="app", password="wrong-Pw-123",
                         dbname="app")

    assert wait_for(lambda: len(statement_records(records(path))) >= sent)
    time.sleep(0.3)
    recs = records(path)
    stmts = statement_records(recs)
    assert len(stmts) == sent, [r.get("statement") for r in stmts]
    seqs = [r["seq"] for r in recs]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    blocked = [r for r in stmts if r["action"] == "blocked"]
    assert len(blocked) == 2 and all(r["outcome"] == "blocked" and r["rule"] == "statements"
                                     for r in blocked)
    failed = [r for r in stmts if r["outcome"] == "failure"]
    assert {r.get("sqlstate") for r in failed} == {"42P01", "42S02"}
    ok = [r for r in stmts if r["outcome"] == "success"]
    assert len(ok) == 9 and all("duration_us" in r and "fingerprint" in r for r in ok)
    assert {r["protocol"] for r in stmts} == {"postgres", "mysql"}
    # normalized statements: no literal values
    assert any(r.get("statement", "").startswith("SELECT ?") for r in ok)
    logins = [r for r in recs if r["event"] == "auth"]
    assert {r["action"] for r in logins} == {"login", "login_failed"}
    conns = [r for r in recs if r["event"] == "connection"]
    assert {"connect", "disconnect"} <= {r["action"] for r in conns}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = path.read_text()
    assert APP_PASSWORD not in text and "wrong-Pw-123" not in text
    res = verify(path)
    assert res.returncode == 0, res.stdout + res.stderr


def tampered_copies(path, tmp_path):
    lines = path.read_text().splitlines(keepends=True)
    assert len(lines) > 5
    out = {}
    changed = list(lines)
    i = len(changed) // 2
    changed[i] = changed[i].replace('"seq":', '"seq": ', 1) if '"user"' not in changed[i] \
        else changed[i].replace('"app"', '"apq"', 1)
    out["byte"] = changed
    out["deleted"] = lines[:i] + lines[i + 1:]
    swapped = list(lines)
    swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
    out["swapped"] = swapped
    files = {}
    for name, content in out.items():
        p = tmp_path / f"tampered-{name}.jsonl"
        p.write_text("".join(content))
        files[name] = p
    return files


def test_verify_detects_tampering_and_wrong_keys(pg_server, start_dbward, tmp_path):
    d = audit_dir(tmp_path)
    key = tmp_path / "audit.key"
    key.write_text("k" * 32)
    os.chmod(key, 0o600)
    path = d / "audit.jsonl"
    proxy = start_dbward(config_text(pg_config(pg_server), path, chain="hmac-sha256",
                                     chain_key_file=str(key)))
    conn = proxy.connect()
    conn.autocommit = True
    for i in range(10):
        conn.cursor().execute("SELECT %s", (i,))
    conn.close()
    assert wait_for(lambda: len(statement_records(records(path))) >= 10)
    time.sleep(0.3)
    snapshot = tmp_path / "snapshot.jsonl"
    shutil.copy(path, snapshot)
    res = verify(snapshot, key=key)
    assert res.returncode == 0, res.stdout + res.stderr
    for name, p in tampered_copies(snapshot, tmp_path).items():
        res = verify(p, key=key)
        assert res.returncode == 1, (name, res.stdout, res.stderr)
    other = tmp_path / "other.key"
    other.write_text("x" * 32)
    os.chmod(other, 0o600)
    assert verify(snapshot, key=other).returncode == 1


def test_sigterm_keeps_every_answered_statement(pg_server, start_dbward, tmp_path):
    path = audit_dir(tmp_path) / "audit.jsonl"
    proxy = start_dbward(config_text(pg_config(pg_server), path, fsync="never"))
    conn = proxy.connect()
    conn.autocommit = True
    n = 300
    for i in range(n):
        conn.cursor().execute("SELECT %s", (i,))
    assert proxy.terminate() == 0
    recs = records(path)
    assert len([r for r in statement_records(recs) if r["outcome"] == "success"]) == n
    assert recs[-1]["action"] == "stop"
    assert verify(path).returncode == 0


def test_sigusr1_starts_a_new_file_and_the_chain_continues(pg_server, start_dbward, tmp_path):
    d = audit_dir(tmp_path)
    path = d / "audit.jsonl"
    proxy = start_dbward(config_text(pg_config(pg_server), path))
    conn = proxy.connect()
    conn.autocommit = True
    for i in range(5):
        conn.cursor().execute("SELECT %s", (i,))
    assert wait_for(lambda: len(statement_records(records(path))) >= 5)
    moved = d / "audit.jsonl.1"
    os.rename(path, moved)
    proxy.signal(signal.SIGUSR1)
    for i in range(5):
        conn.cursor().execute("SELECT %s", (i,))
    assert wait_for(lambda: path.exists() and len(statement_records(records(path))) >= 5)
    conn.close()
    time.sleep(0.3)
    first = records(moved)
    second = records(path)
    assert second[0]["seq"] == first[-1]["seq"] + 1
    res = verify(moved, path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert verify(path, moved).returncode == 1  # wrong order


def test_bad_audit_paths_are_config_errors(pg_server, tmp_path):
    ww = tmp_path / "open"
    ww.mkdir()
    os.chmod(ww, 0o777)
    for bad in ["relative/audit.jsonl", str(tmp_path / "a" / ".." / "audit.jsonl"),
                str(ww / "audit.jsonl")]:
        p = tmp_path / "dbward.yaml"
        p.write_text(config_text(pg_config(pg_server), bad))
        res = subprocess.run([dbward_bin(), "--check-config", str(p)], capture_output=True,
                             text=True)
        assert res.returncode == 2, (bad, res.stdout)
        assert "audit.path" in res.stdout, res.stdout


def test_prepared_statement_executions_are_recorded(pg_server, maria_server, start_dbward,
                                                    tmp_path):
    """Extended protocol (asyncpg) and MySQL's binary protocol: one record per
    execution, naming the statement that was prepared."""
    import asyncio
    import struct

    import asyncpg

    from my_wire import MyConn

    path = audit_dir(tmp_path) / "audit.jsonl"
    cfg = pg_config(pg_server)
    my = my_config(maria_server)
    cfg["listeners"] += my["listeners"]
    cfg["backends"] += my["backends"]
    proxy = start_dbward(config_text(cfg, path))
    pg_port, my_port = proxy.ports

    async def pg():
        conn = await asyncpg.connect(host=proxy.host, port=pg_port, user="app",
                                     password=APP_PASSWORD, database="app")
        stmt = await conn.prepare("SELECT $1::int * 7 AS audited_product")
        for i in range(3):
            assert await stmt.fetchval(i) == i * 7
        with pytest.raises(asyncpg.exceptions.DivisionByZeroError):
            await conn.fetchval("SELECT 1 / $1::int AS audited_division", 0)
        await conn.close()

    asyncio.run(pg())

    c = MyConn(proxy.host, my_port)
    c.login("app", APP_PASSWORD)
    c.command(0x16, b"SELECT 6 * 7 AS audited_answer")
    ok = c.read_packet()
    assert ok[0] == 0x00
    stmt_id = struct.unpack("<I", ok[1:5])[0]
    ncols, nparams = struct.unpack("<HH", ok[5:9])
    for _ in range(ncols + (1 if ncols else 0) + nparams + (1 if nparams else 0)):
        c.read_packet()
    for _ in range(2):
        c.command(0x17, struct.pack("<IBI", stmt_id, 0, 1))
        first = c.read_packet()
        assert first[0] not in (0xFF,), first
        while True:
            p = c.read_packet()
            if p[0] == 0xFE and len(p) < 9:
                # column definitions end, then rows end
                p = c.read_packet()
                while not (p[0] == 0xFE and len(p) < 9):
                    p = c.read_packet()
                break
    c.close()

    def audited():
        return [r for r in statement_records(records(path)) if "audited_" in r.get("statement", "")]

    assert wait_for(lambda: len(audited()) >= 6)
    time.sleep(0.3)
    recs = audited()
    products = [r for r in recs if "audited_product" in r["statement"]]
    assert len(products) == 3 and all(r["outcome"] == "success" and r["operation"] == "SELECT"
                                      for r in products), products
    division = [r for r in recs if "audited_division" in r["statement"]]
    assert len(division) == 1 and division[0]["outcome"] == "failure" \
        and division[0]["sqlstate"] == "22012"
    answers = [r for r in recs if "audited_answer" in r["statement"]]
    assert len(answers) == 2 and all(r["outcome"] == "success" for r in answers), answers
    assert verify(path).returncode == 0


@pytest.mark.deadline(90)
@pytest.mark.parametrize("protocol", ["simple", "extended", "prepared"])
def test_pgbench_statements_are_counted_exactly(pgbench_db, start_dbward, tmp_path, protocol):
    import re

    from test_pg_pgbench import pgbench

    path = audit_dir(tmp_path) / "audit.jsonl"
    proxy = start_dbward(config_text(pg_config(pgbench_db), path))
    rc, out = pgbench(proxy, "-n", "-S", "-M", protocol, "-c", "4", "-j", "2", "-T", "2")
    assert rc == 0, out
    done = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))
    assert proxy.terminate() == 0
    selects = [r for r in statement_records(records(path))
               if "pgbench_accounts" in r.get("objects", []) or
               "public.pgbench_accounts" in r.get("objects", [])]
    assert len(selects) == done, (len(selects), done)
    assert all(r["outcome"] == "success" and r["rows"] == 1 for r in selects)
    assert len({r["fingerprint"] for r in selects}) == 1
    assert verify(path).returncode == 0


def test_mysql_records_name_the_application(maria_server, start_dbward, tmp_path):
    path = audit_dir(tmp_path) / "audit.jsonl"
    proxy = start_dbward(config_text(my_config(maria_server), path))
    conn = pymysql.connect(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                           database="app", autocommit=True, program_name="billing-job")
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
    conn.close()
    # (The harness's readiness probe makes a connection of its own first.)
    assert wait_for(lambda: any(r.get("action") == "disconnect" and r.get("user") == "app"
                                for r in records(path)))
    stmts = statement_records(records(path))
    assert stmts and all(r.get("application") == "billing-job" for r in stmts)


def test_statement_refused_for_want_of_a_server_is_recorded(pg_server, maria_server,
                                                            start_dbward, tmp_path):
    """A statement judged and then dropped because no server connection came
    in time has its record, and the session's next statement keeps its own."""
    path = audit_dir(tmp_path) / "audit.jsonl"
    cfg = pg_config(pg_server, size=1, timeouts={"pool_wait": "300ms"})
    my = my_config(maria_server, size=1, timeouts={"pool_wait": "300ms"})
    cfg["listeners"] += my["listeners"]
    cfg["backends"] += my["backends"]
    proxy = start_dbward(config_text(cfg, path, statements="full"))
    pg_port, my_port = proxy.ports
    holder = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                              dbname="app")
    waiter = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                              dbname="app")
    waiter.autocommit = True
    holder.cursor().execute("SELECT 1")  # a transaction holds the only server connection
    with pytest.raises(psycopg2.Error) as e1:
        waiter.cursor().execute("SELECT 'starved_pg'")
    pg_err = str(e1.value)
    holder.rollback()
    cur = waiter.cursor()
    cur.execute("SELECT 'after_pg'")
    myh = pymysql.connect(host=proxy.host, port=my_port, user="app", password=APP_PASSWORD,
                          database="app", autocommit=True)
    myw = pymysql.connect(host=proxy.host, port=my_port, user="app", password=APP_PASSWORD,
                          database="app", autocommit=True)
    myh.cursor().execute("BEGIN")
    with pytest.raises(pymysql.err.MySQLError) as e2:
        myw.cursor().execute("SELECT 'starved_my'")
    my_err = str(e2.value)
    myh.rollback()
    myh.close()
    c = myw.cursor()
    c.execute("SELECT 'after_my'")
    waiter.close()
    myw.close()
    holder.close()

    def by_text(word):
        return [r for r in statement_records(records(path)) if word in r.get("statement", "")]
    assert wait_for(lambda: by_text("after_my"))
    for word, state, err in (("starved_pg", "53300", pg_err), ("starved_my", "08004", my_err)):
        recs = by_text(word)
        assert len(recs) == 1 and recs[0]["outcome"] == "failure", recs
        assert recs[0]["sqlstate"] == state
        # The reference the client was shown names this record.
        assert f"(ref {recs[0]['ref']})" in err
    for word in ("after_pg", "after_my"):
        recs = by_text(word)
        assert len(recs) == 1 and recs[0]["outcome"] == "success", recs


def test_mysql_multi_statement_rows_per_statement(maria_server, start_dbward, tmp_path):
    path = audit_dir(tmp_path) / "audit.jsonl"
    proxy = start_dbward(config_text(my_config(maria_server), path, statements="full"))
    from pymysql.constants import CLIENT
    conn = pymysql.connect(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                           database="app", autocommit=True, client_flag=CLIENT.MULTI_STATEMENTS)
    t = f"ms_{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (a int)")
        cur.execute(f"INSERT INTO {t} VALUES (1),(2),(3); SELECT a FROM {t} WHERE a > 1; "
                    f"DELETE FROM {t} WHERE a = 1")
        while cur.nextset():
            pass
        cur.execute(f"DROP TABLE {t}")
    conn.close()
    assert wait_for(lambda: any(r.get("action") == "disconnect" and r.get("user") == "app"
                                for r in records(path)))
    rows = {r["statement"].split()[0]: r.get("rows") for r in statement_records(records(path))
            if t in r.get("statement", "") and r["outcome"] == "success"}
    assert rows["INSERT"] == 3 and rows["SELECT"] == 2 and rows["DELETE"] == 1, rows
