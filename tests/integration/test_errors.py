"""Sanitized server errors (`errors.mode: sanitize`) with real clients and
servers: psycopg2 and PyMySQL see the exact SQLSTATE / error number but a
generic message with a reference, nothing of the original (no table name, no
detail, hint, position...), and the audit record under that reference holds
the original. Listed codes keep their message; `passthrough` changes
nothing; the session and the protocol stay in step after every error."""
import json
import re
import time
import uuid

import psycopg2
import psycopg2.errors
import pymysql
import pytest

from dbward_helpers import my_config, pg_config, to_yaml
from my_wire import MyConn
from pg_wire import SYNC, WireConn, bind_msg, cstr, error_fields, execute_msg, message, parse_msg
from servers import APP_PASSWORD

REF = r"[0-9a-f]{8}-[0-9a-f]+-[0-9a-f]+"


def sanitized(class_text):
    return re.compile(rf"^dbward: {re.escape(class_text)} \(ref ({REF})\)$")


MISSING_PG = sanitized("syntax error or access rule violation")
INTEGRITY = sanitized("integrity constraint violation")


def make_config(base, tmp_path, errors, audit=True):
    cfg = dict(base)
    cfg["errors"] = errors
    path = None
    if audit:
        d = tmp_path / "audit"
        d.mkdir(mode=0o750)
        path = d / "audit.jsonl"
        cfg["audit"] = {"path": str(path), "fsync": "interval", "fsync_interval": "100ms"}
    return to_yaml(cfg), path


def records(path):
    if not path.exists():
        return []
    with open(path) as f:
        return [json.loads(line) for line in f]


def record_with_ref(path, ref, timeout=10):
    """The audit record carrying REF, once the writer has written it."""
    deadline = time.time() + timeout
    while True:
        found = [r for r in records(path) if r.get("ref") == ref]
        if found or time.time() > deadline:
            assert len(found) == 1, f"{len(found)} records with ref {ref}"
            return found[0]
        time.sleep(0.05)


def diag_fields(e):
    """Everything psycopg2 shows of an error besides its message and severity."""
    d = e.diag
    return [d.message_detail, d.message_hint, d.statement_position, d.internal_position,
            d.internal_query, d.context, d.schema_name, d.table_name, d.column_name,
            d.datatype_name, d.constraint_name, d.source_file, d.source_line,
            d.source_function]


def pg_conn(proxy):
    conn = proxy.connect()
    conn.autocommit = True
    return conn


def expect_pg_error(cur, sql, exc, pgcode, pattern, args=None):
    with pytest.raises(exc) as ei:
        cur.execute(sql, args)
    e = ei.value
    assert e.pgcode == pgcode
    m = pattern.match(e.diag.message_primary or "")
    assert m, e.diag.message_primary
    assert diag_fields(e) == [None] * 14, diag_fields(e)
    assert e.diag.severity == "ERROR" and e.diag.severity_nonlocalized == "ERROR"
    return e, m.group(1)


def test_pg_sanitize(pg_server, start_dbward, tmp_path):
    text, path = make_config(pg_config(pg_server), tmp_path,
                             {"mode": "sanitize", "passthrough_sqlstates": ["23505", "40P01"]})
    proxy = start_dbward(text)
    t = f"secret_{uuid.uuid4().hex[:8]}"
    conn = pg_conn(proxy)
    cur = conn.cursor()

    # A missing table: nothing of its name anywhere the client looks.
    e, ref = expect_pg_error(cur, f"SELECT * FROM {t}_missing WHERE id = 1",
                             psycopg2.errors.UndefinedTable, "42P01", MISSING_PG)
    assert t not in str(e) and t not in (e.pgerror or "")
    rec = record_with_ref(path, ref)
    assert rec["event"] == "query" and rec["action"] == "statement"
    assert rec["outcome"] == "failure" and rec["sqlstate"] == "42P01"
    assert rec["error"] == f'relation "{t}_missing" does not exist'
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)

    # A listed code keeps its message and fields, never the server's source.
    cur.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, parent int REFERENCES {t}(id))")
    cur.execute(f"INSERT INTO {t} VALUES (1, NULL)")
    with pytest.raises(psycopg2.errors.UniqueViolation) as ei:
        cur.execute(f"INSERT INTO {t} VALUES (1, NULL)")
    d = ei.value.diag
    assert ei.value.pgcode == "23505"
    assert d.message_primary == f'duplicate key value violates unique constraint "{t}_pkey"'
    assert d.message_detail == "Key (id)=(1) already exists."
    assert d.constraint_name == f"{t}_pkey" and d.table_name == t
    assert d.source_file is None and d.source_line is None and d.source_function is None
    deadline = time.time() + 10
    while not (dup := [r for r in records(path) if r.get("sqlstate") == "23505"]):
        assert time.time() < deadline, "no record of the unique violation"
        time.sleep(0.05)
    assert len(dup) == 1 and "ref" not in dup[0] and "duplicate key" in dup[0]["error"]

    # A code of the same class that is not listed: sanitized.
    e, ref = expect_pg_error(cur, f"INSERT INTO {t} VALUES (2, 99)",
                             psycopg2.errors.ForeignKeyViolation, "23503", INTEGRITY)
    assert t not in str(e)
    assert "foreign key" in record_with_ref(path, ref)["error"]

    # In a transaction: the syntax error, then 25P02 until ROLLBACK.
    cur.execute("BEGIN")
    e, ref1 = expect_pg_error(cur, f"SELEC * FROM {t}", psycopg2.errors.SyntaxError, "42601",
                              MISSING_PG)
    e, ref2 = expect_pg_error(cur, f"SELECT * FROM {t}", psycopg2.errors.InFailedSqlTransaction,
                              "25P02", sanitized("invalid transaction state"))
    assert ref1 != ref2
    cur.execute("ROLLBACK")
    cur.execute(f"SELECT count(*) FROM {t}")
    assert cur.fetchone() == (1,)
    assert 'syntax error at or near "SELEC"' in record_with_ref(path, ref1)["error"]
    assert "current transaction is aborted" in record_with_ref(path, ref2)["error"]

    # A data exception with a value in its message, and a PL/pgSQL error
    # with detail, hint and context.
    e, ref = expect_pg_error(cur, "SELECT %s::int", psycopg2.errors.InvalidTextRepresentation,
                             "22P02", sanitized("data exception"), ("secret-value",))
    assert "secret-value" not in str(e)
    e, ref = expect_pg_error(cur, "DO $$ BEGIN RAISE EXCEPTION 'secret %', 42 USING "
                             "DETAIL = 'secret detail', HINT = 'secret hint'; END $$",
                             psycopg2.errors.RaiseException, "P0001", sanitized("PL/pgSQL error"))
    assert "secret" not in str(e)
    assert record_with_ref(path, ref)["error"] == "secret 42"

    # Notices are rewritten too, without a reference.
    del conn.notices[:]
    cur.execute(f"DROP TABLE IF EXISTS {t}_nothing")
    assert conn.notices == ["NOTICE:  dbward: notice\n"], conn.notices
    cur.execute(f"DROP TABLE {t}")
    conn.close()
    # The originals are in the audit trail, not in dbward's own log.
    assert t not in proxy.log_text()


def test_pg_errors_inside_extended_batches(pg_server, start_dbward, tmp_path):
    text, path = make_config(pg_config(pg_server), tmp_path, {"mode": "sanitize"})
    proxy = start_dbward(text)
    c = WireConn(proxy.host, proxy.port)
    c.login("app", APP_PASSWORD, "app")
    # The Parse fails: the rest of the batch is skipped; the next batch runs.
    c.send(parse_msg("", "SELECT * FROM secret_batch_table WHERE id = $1") + bind_msg("", "", [1])
           + execute_msg() + SYNC
           + parse_msg("", "SELECT 'after'") + bind_msg("", "") + execute_msg() + SYNC)
    msgs = c.collect(n_ready=2)
    assert b"".join(k for k, _ in msgs) == b"EZ12DCZ"
    err = msgs[0][1]
    assert set(err) == {"S", "V", "C", "M"} and err["C"] == "42P01"
    ref = MISSING_PG.match(err["M"]).group(1)
    assert [v for k, v in msgs if k == b"D"] == [("after",)]
    rec = record_with_ref(path, ref)
    assert rec["event"] == "error" and rec["sqlstate"] == "42P01"
    assert "secret_batch_table" in rec["error"]

    # The Bind fails (the server folds 10 / 0 when planning with the
    # value): the record of the Execute after it takes the reference.
    c.send(parse_msg("s1", "SELECT 10 / $1::int") + bind_msg("", "s1", [0]) + execute_msg()
           + bind_msg("", "s1", [1]) + execute_msg() + SYNC
           + bind_msg("", "s1", [5]) + execute_msg() + SYNC)
    msgs = c.collect(n_ready=2)
    assert b"".join(k for k, _ in msgs) == b"1EZ2DCZ"
    err = msgs[1][1]
    assert err["C"] == "22012" and set(err) == {"S", "V", "C", "M"}
    ref = sanitized("data exception").match(err["M"]).group(1)
    assert [v for k, v in msgs if k == b"D"] == [("2",)]
    rec = record_with_ref(path, ref)
    assert rec["action"] == "statement" and rec["error"] == "division by zero"
    assert c.query("SELECT 'still in step'") == [("still in step",)]
    c.close()


def test_pg_asyncpg_prepared_statements(pg_server, start_dbward, tmp_path):
    """asyncpg prepares every statement on the server: a missing table fails
    its Parse, a unique violation its Execute; both sanitized, and the
    connection goes on."""
    import asyncio

    import asyncpg

    text, path = make_config(pg_config(pg_server), tmp_path, {"mode": "sanitize"})
    proxy = start_dbward(text)
    t = f"secret_{uuid.uuid4().hex[:8]}"

    async def go():
        conn = await asyncpg.connect(host=proxy.host, port=proxy.port, user="app",
                                     password=APP_PASSWORD, database="app", timeout=10)
        out = []
        for sql, args in ((f"SELECT * FROM {t}_missing WHERE id = $1", (1,)),
                          (f"CREATE TABLE {t} (id int PRIMARY KEY)", ()),
                          (f"INSERT INTO {t} VALUES ($1)", (1,)),
                          (f"INSERT INTO {t} VALUES ($1)", (1,))):
            try:
                await conn.execute(sql, *args)
            except asyncpg.PostgresError as e:
                out.append((e.sqlstate, e.args[0], e.detail, e.hint, e.position, e.table_name))
        out.append(await conn.fetchval("SELECT $1::int + 1", 41))
        await conn.execute(f"DROP TABLE {t}")
        await conn.close()
        return out

    out = asyncio.run(asyncio.wait_for(go(), 30))
    assert out[-1] == 42 and len(out) == 3
    (code1, msg1, *rest1), (code2, msg2, *rest2) = out[0], out[1]
    assert code1 == "42P01" and rest1 == [None] * 4 and t not in msg1
    assert code2 == "23505" and rest2 == [None] * 4 and t not in msg2
    rec1 = record_with_ref(path, MISSING_PG.match(msg1).group(1))
    assert rec1["event"] == "error" and f"{t}_missing" in rec1["error"]
    rec2 = record_with_ref(path, INTEGRITY.match(msg2).group(1))
    assert rec2["action"] == "statement" and f"{t}_pkey" in rec2["error"]


def test_pg_unlisted_unique_violation_and_no_audit(pg_server, start_dbward, tmp_path):
    """Nothing listed, no audit trail: 23505 is sanitized and the log pairs
    the reference with the original (at info)."""
    text, _ = make_config(pg_config(pg_server), tmp_path, {"mode": "sanitize"}, audit=False)
    proxy = start_dbward(text)
    t = f"secret_{uuid.uuid4().hex[:8]}"
    conn = pg_conn(proxy)
    cur = conn.cursor()
    cur.execute(f"CREATE TABLE {t} (id int PRIMARY KEY)")
    cur.execute(f"INSERT INTO {t} VALUES (1)")
    e, ref = expect_pg_error(cur, f"INSERT INTO {t} VALUES (1)", psycopg2.errors.UniqueViolation,
                             "23505", INTEGRITY)
    assert t not in str(e)
    cur.execute(f"DROP TABLE {t}")
    conn.close()
    lines = [ln for ln in proxy.log_text().splitlines() if f"(ref {ref})" in ln]
    assert len(lines) == 1 and " info: " in lines[0] and f"{t}_pkey" in lines[0], lines


def test_pg_unsolicited_fatal_and_login_errors(pg_server, start_dbward, tmp_path):
    text, path = make_config(pg_config(pg_server), tmp_path, {"mode": "sanitize"})
    proxy = start_dbward(text)
    # A missing database at login: dbward's own message, naming what the
    # client asked for, unchanged (drivers recognize it by its text).
    with pytest.raises(psycopg2.OperationalError) as ei:
        proxy.connect(dbname="no_such_database_here")
    assert 'database "no_such_database_here" does not exist' in str(ei.value)

    # The server ends the connection while a client holds it.
    c = WireConn(proxy.host, proxy.port)
    c.login("app", APP_PASSWORD, "app")
    c.query("BEGIN")
    pid = int(c.query("SELECT pg_backend_pid()")[0][0])
    pg_server.psql(f"SELECT pg_terminate_backend({pid})")
    kind, payload = c.read_msg()
    assert kind == b"E"
    f = error_fields(payload)
    assert f["S"] == "FATAL" and f["V"] == "FATAL" and f["C"] == "57P01"
    ref = sanitized("operator intervention").match(f["M"]).group(1)
    rec = record_with_ref(path, ref)
    assert rec["event"] == "error" and "administrator command" in rec["error"]
    c.close()


def wire_error(conn, sql):
    with pytest.raises(Exception) as ei:
        conn.query(sql)
    return ei.value


def test_pg_passthrough_changes_nothing(pg_server, start_dbward, tmp_path):
    text, _ = make_config(pg_config(pg_server), tmp_path,
                          {"mode": "passthrough", "passthrough_sqlstates": ["23505"]},
                          audit=False)
    proxy = start_dbward(text)
    t = f"secret_{uuid.uuid4().hex[:8]}"
    via = WireConn(proxy.host, proxy.port)
    via.login("app", APP_PASSWORD, "app")
    direct = WireConn(pg_server.host, pg_server.port)
    direct.login("app", APP_PASSWORD, "app")
    via.query(f"CREATE TABLE {t} (id int PRIMARY KEY, email text NOT NULL)")
    via.query(f"INSERT INTO {t} VALUES (1, 'a')")
    for sql in (f"SELECT * FROM {t}_missing", f"INSERT INTO {t} VALUES (1, 'b')",
                f"INSERT INTO {t} VALUES (2, NULL)", "SELECT 1/0",
                "DO $$ BEGIN RAISE EXCEPTION 'x' USING DETAIL = 'd', HINT = 'h'; END $$"):
        got, want = wire_error(via, sql), wire_error(direct, sql)
        assert got.fields == want.fields and "F" in got.fields and "M" in got.fields
    for c in (via, direct):
        c.send(message(b"Q", cstr(f"DROP TABLE IF EXISTS {t}_x")))
    notices = [[p for k, p in c.collect() if k == b"N"] for c in (via, direct)]
    assert notices[0] == notices[1] and len(notices[0]) == 1
    via.query(f"DROP TABLE {t}")
    via.close()
    direct.close()


# ---- MySQL ----

def my_connect(proxy):
    return pymysql.connect(host=proxy.host, port=proxy.port, user="app",
                           password=APP_PASSWORD, database="app", autocommit=True)


def test_my_sanitize(maria_server, start_dbward, tmp_path):
    text, path = make_config(my_config(maria_server), tmp_path,
                             {"mode": "sanitize", "passthrough_sqlstates": ["1062"]})
    proxy = start_dbward(text)
    t = f"secret_{uuid.uuid4().hex[:8]}"
    conn = my_connect(proxy)
    cur = conn.cursor()
    with pytest.raises(pymysql.err.ProgrammingError) as ei:
        cur.execute(f"SELECT * FROM {t}_missing")
    code, msg = ei.value.args
    assert code == 1146 and t not in msg
    ref = MISSING_PG.match(msg).group(1)
    rec = record_with_ref(path, ref)
    assert rec["action"] == "statement" and rec["sqlstate"] == "42S02" and rec["errno"] == 1146
    assert rec["error"] == f"Table 'app.{t}_missing' doesn't exist"
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)

    # Listed by its error number: the message stays.
    cur.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, parent int, "
                f"FOREIGN KEY (parent) REFERENCES {t}(id))")
    cur.execute(f"INSERT INTO {t} VALUES (1, NULL)")
    with pytest.raises(pymysql.err.IntegrityError) as ei:
        cur.execute(f"INSERT INTO {t} VALUES (1, NULL)")
    assert ei.value.args == (1062, "Duplicate entry '1' for key 'PRIMARY'")
    # The same SQLSTATE, another error number: sanitized.
    with pytest.raises(pymysql.err.IntegrityError) as ei:
        cur.execute(f"INSERT INTO {t} VALUES (2, 99)")
    code, msg = ei.value.args
    assert code == 1452 and t not in msg
    ref = INTEGRITY.match(msg).group(1)
    assert "foreign key constraint fails" in record_with_ref(path, ref)["error"]

    # The raw client sees the SQLSTATE; a failed prepare (no statement
    # record) gets an error record of its own.
    raw = MyConn(proxy.host, proxy.port)
    raw.login("app", APP_PASSWORD)
    err = wire_error(raw, f"SELECT nope FROM {t}")
    assert (err.code, err.sqlstate) == (1054, "42S22") and MISSING_PG.match(err.message)
    raw.command(0x16, f"SELECT * FROM {t}_gone".encode())  # COM_STMT_PREPARE
    p = raw.read_packet()
    assert p[0] == 0xFF and int.from_bytes(p[1:3], "little") == 1146 and p[3:9] == b"#42S02"
    ref = MISSING_PG.match(p[9:].decode()).group(1)
    rec = record_with_ref(path, ref)
    assert rec["event"] == "error" and f"{t}_gone" in rec["error"]
    assert raw.query("SELECT 'in step'") == [("in step",)]
    raw.close()

    cur.execute(f"DROP TABLE {t}")
    conn.close()
    assert t not in proxy.log_text()


def test_my_unlisted_and_passthrough(maria_server, start_dbward, tmp_path):
    t = f"secret_{uuid.uuid4().hex[:8]}"
    text, _ = make_config(my_config(maria_server), tmp_path, {"mode": "sanitize"}, audit=False)
    proxy = start_dbward(text)
    conn = my_connect(proxy)
    cur = conn.cursor()
    cur.execute(f"CREATE TABLE {t} (id int PRIMARY KEY)")
    cur.execute(f"INSERT INTO {t} VALUES (1)")
    with pytest.raises(pymysql.err.IntegrityError) as ei:
        cur.execute(f"INSERT INTO {t} VALUES (1)")
    code, msg = ei.value.args
    assert code == 1062 and INTEGRITY.match(msg)
    conn.close()

    # passthrough: byte for byte what the server says.
    plain = my_config(maria_server)
    plain["errors"] = {"mode": "passthrough"}
    proxy2 = start_dbward(to_yaml(plain), name="passthrough")
    via = MyConn(proxy2.host, proxy2.port)
    via.login("app", APP_PASSWORD)
    direct = MyConn(maria_server.host, maria_server.port)
    direct.login("app", APP_PASSWORD)
    for sql in (f"SELECT * FROM {t}_missing", f"INSERT INTO {t} VALUES (1)", "SELEC 1"):
        got, want = wire_error(via, sql), wire_error(direct, sql)
        assert (got.code, got.sqlstate, got.message) == (want.code, want.sqlstate, want.message)
        assert "dbward" not in got.message
    via.query(f"DROP TABLE {t}")
    via.close()
    direct.close()
