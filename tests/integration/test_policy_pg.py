"""Statement policies through dbward with PostgreSQL clients.

Each rule of the `policies` section is shown to refuse what it names with
42501 and a message naming the policy, to keep the session usable, and to let
ordinary statements through, including literals and comments that merely
contain the words a rule looks for."""
import asyncio
import re
import struct
import uuid

import asyncpg
import psycopg2
import psycopg2.errors
import pytest

from dbward_helpers import pg_config
from pg_wire import WireConn, bind_msg, execute_msg, message, parse_msg
from policy_helpers import blocked_lines, with_policies, would_block_lines
from servers import APP_PASSWORD


def start(pg_server, start_dbward, policy, mode="transaction", **kw):
    policy = dict(policy)
    policy.setdefault("name", "test")
    policy.setdefault("match", {})
    return start_dbward(with_policies(pg_config(pg_server, mode=mode, **kw), [policy]))


def run(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall() if cur.description else None


def refused(conn, sql, policy="test"):
    """SQL fails with 42501 and dbward's message; the session still works."""
    with pytest.raises(psycopg2.Error) as exc:
        run(conn, sql)
    err = exc.value
    assert err.pgcode == "42501", (sql, err.pgcode, err.pgerror)
    msg = err.diag.message_primary
    assert msg.startswith(f'dbward: statement blocked by policy "{policy}"'), msg
    assert re.search(r"\(ref [0-9a-f]+-[0-9a-f]+-[0-9a-f]+\)$", msg), msg
    if not conn.autocommit:
        conn.rollback()
    assert run(conn, "SELECT 41 + 1") == [(42,)]
    return msg


@pytest.fixture
def table(pg_server):
    name = f"pol_{uuid.uuid4().hex[:8]}"
    pg_server.psql(f"CREATE TABLE {name} (id int PRIMARY KEY, note text); "
                   f"INSERT INTO {name} VALUES (1, 'one'), (2, 'OR 1=1'), (3, 'x; DROP TABLE t');"
                   f"GRANT ALL ON {name} TO app", dbname="app")
    yield name
    pg_server.psql(f"DROP TABLE IF EXISTS {name}", dbname="app")


def test_statement_classes(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward,
                  {"statements": {"deny": ["ddl", "grant", "admin", "load_data", "outfile"]}})
    conn = proxy.connect()
    conn.autocommit = True
    assert "rule statements" in refused(conn, f"CREATE TABLE {table}_x (a int)")
    refused(conn, f"ALTER TABLE {table} ADD COLUMN b int")
    refused(conn, f"drop table {table}")
    refused(conn, f"TRUNCATE {table}")
    refused(conn, f"COMMENT ON TABLE {table} IS 'x'")
    refused(conn, f"GRANT SELECT ON {table} TO PUBLIC")
    refused(conn, "CREATE ROLE intruder")
    refused(conn, "ALTER SYSTEM SET work_mem = '1GB'")
    refused(conn, "SET ROLE postgres")
    refused(conn, f"VACUUM {table}")
    refused(conn, "DO $$ BEGIN PERFORM 1; END $$")
    refused(conn, f"COPY {table} FROM '/etc/passwd'")
    refused(conn, f"COPY {table} FROM PROGRAM 'id'")
    refused(conn, f"COPY {table} TO '/tmp/dbward-outfile'")
    refused(conn, f"COPY (SELECT 1) TO PROGRAM 'cat'")
    # Ordinary work, and words of refused statements inside literals/comments.
    assert run(conn, f"SELECT note FROM {table} WHERE note = 'x; DROP TABLE t' -- DROP TABLE") \
        == [("x; DROP TABLE t",)]
    assert run(conn, "SELECT 'CREATE TABLE x (a int)' /* GRANT ALL */") == [("CREATE TABLE x (a int)",)]
    assert run(conn, "SELECT $q$ ALTER SYSTEM SET x = 1; $q$") == [(" ALTER SYSTEM SET x = 1; ",)]
    run(conn, f"INSERT INTO {table} VALUES (10, 'ten')")
    run(conn, f"UPDATE {table} SET note = 'TEN' WHERE id = 10")
    run(conn, "SET application_name = 'pol'")
    # COPY to and from the client is data transfer, not a file.
    import io
    buf = io.StringIO()
    with conn.cursor() as cur:
        cur.copy_expert(f"COPY {table} TO STDOUT", buf)
        cur.copy_expert(f"COPY {table} (id, note) FROM STDIN", io.StringIO("20\ttwenty\n"))
    assert "OR 1=1" in buf.getvalue()
    assert run(conn, f"SELECT note FROM {table} WHERE id = 20") == [("twenty",)]
    assert len(blocked_lines(proxy)) == 15
    conn.close()


def test_blocked_statement_inside_a_transaction_keeps_the_session(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward, {"statements": {"deny": ["ddl"]}})
    conn = proxy.connect()
    run(conn, f"INSERT INTO {table} VALUES (50, 'fifty')")
    with pytest.raises(psycopg2.Error) as exc:
        run(conn, f"DROP TABLE {table}")
    assert exc.value.pgcode == "42501"
    # The server never saw the refused statement: the transaction is intact.
    assert run(conn, f"SELECT note FROM {table} WHERE id = 50") == [("fifty",)]
    conn.rollback()
    assert run(conn, f"SELECT count(*) FROM {table} WHERE id = 50") == [(0,)]
    conn.close()


def test_multi_statements(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward, {"multi_statements": "deny",
                                            "statements": {"deny": ["ddl"]}})
    conn = proxy.connect()
    conn.autocommit = True
    assert "rule multi_statements" in refused(conn, "SELECT 1; SELECT 2")
    refused(conn, f"SELECT * FROM {table} WHERE id = 1; DROP TABLE {table}")
    refused(conn, f"SELECT 1 -- comment\n; DROP TABLE {table}")
    refused(conn, f"SELECT 1 /* ; */ ; DROP TABLE {table}")
    assert run(conn, "SELECT ';' AS semi; ") == [(";",)]
    assert run(conn, "SELECT 1 /* ; DROP TABLE x; */") == [(1,)]
    assert run(pg_server.direct_conn(), f"SELECT count(*) FROM {table}") == [(3,)]
    conn.close()


def test_identifier_rules(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward, {"identifiers": {
        "deny": ["pg_catalog.pg_authid", "information_schema.*", "*.*secret*"],
        "pattern": "^[A-Za-z_][A-Za-z0-9_$]*$",
        "max_length": 40}})
    conn = proxy.connect()
    conn.autocommit = True
    for sql in ["SELECT rolname FROM pg_catalog.pg_authid",
                "SELECT rolname FROM pg_authid",
                'SELECT rolname FROM "pg_catalog"."pg_authid"',
                "SELECT rolname FROM PG_CATALOG.PG_AUTHID",
                "SELECT table_name FROM information_schema.tables",
                f"SELECT * FROM {table} JOIN top_secret_stuff s ON s.id = {table}.id",
                f"SELECT * FROM {table} t WHERE t.id IN (SELECT rolname::int FROM pg_authid)"]:
        assert "rule identifiers.deny" in refused(conn, sql)
    assert "rule identifiers.pattern" in refused(conn, 'SELECT 1 AS "weird name"')
    assert "rule identifiers.max_length" in refused(conn, "SELECT 1 AS " + "x" * 41)
    # A quoted spelling that differs in case names another relation, and the
    # name inside a literal or a comment is not a reference.
    with pytest.raises(psycopg2.Error) as exc:
        run(conn, 'SELECT * FROM "PG_AUTHID"')
    assert exc.value.pgcode == "42P01"
    assert run(conn, "SELECT 'pg_authid' -- FROM pg_authid") == [("pg_authid",)]
    assert run(conn, f"SELECT count(*) FROM {table} AS information") == [(3,)]
    assert run(conn, "SELECT count(*) > 0 FROM pg_catalog.pg_class") == [(True,)]
    conn.close()


def test_identifier_allow_list(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward, {"identifiers": {"allow": [f"public.{table}"]}})
    conn = proxy.connect()
    conn.autocommit = True
    assert run(conn, f"SELECT count(*) FROM {table}") == [(3,)]
    assert run(conn, f"SELECT count(*) FROM public.{table}") == [(3,)]
    assert run(conn, "SELECT 1") == [(1,)]
    assert "rule identifiers.allow" in refused(conn, "SELECT count(*) FROM pg_class")
    refused(conn, f"SELECT * FROM {table} a JOIN other_table b ON a.id = b.id")
    conn.close()


def test_functions(pg_server, start_dbward):
    proxy = start(pg_server, start_dbward,
                  {"functions": {"deny": ["pg_sleep", "pg_read_file", "lo_import"]}})
    conn = proxy.connect()
    conn.autocommit = True
    assert "rule functions" in refused(conn, "SELECT pg_sleep(0)")
    refused(conn, "SELECT PG_SLEEP (0)")
    refused(conn, "SELECT pg_catalog.pg_sleep(0)")
    refused(conn, "SELECT 1 WHERE pg_sleep/**/(0) IS NOT NULL")
    refused(conn, "SELECT pg_read_file('/etc/passwd')")
    assert run(conn, "SELECT 'pg_sleep(10)'") == [("pg_sleep(10)",)]
    assert run(conn, "SELECT 1 -- pg_sleep(10)") == [(1,)]
    assert run(conn, "SELECT lower('X')") == [("x",)]
    conn.close()


def test_complexity(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward, {"complexity": {
        "max_joins": 2, "max_subquery_depth": 1, "max_unions": 1, "max_in_list": 5,
        "require_where": ["update", "delete"], "max_statement_bytes": "2KiB"}})
    conn = proxy.connect()
    conn.autocommit = True
    t = table
    assert run(conn, f"SELECT count(*) FROM {t} a JOIN {t} b USING (id) JOIN {t} c USING (id)") \
        == [(3,)]
    assert "rule complexity.max_joins" in refused(
        conn, f"SELECT 1 FROM {t} a JOIN {t} b USING (id) JOIN {t} c USING (id) JOIN {t} d USING (id)")
    refused(conn, f"SELECT 1 FROM {t} a, {t} b, {t} c, {t} d")
    assert run(conn, f"SELECT (SELECT max(id) FROM {t})") == [(3,)]
    refused(conn, f"SELECT (SELECT (SELECT max(id) FROM {t}))")
    assert run(conn, "SELECT 1 UNION SELECT 2 ORDER BY 1") == [(1,), (2,)]
    refused(conn, "SELECT 1 UNION SELECT 2 UNION SELECT 3")
    assert run(conn, f"SELECT count(*) FROM {t} WHERE id IN (1, 2, 3, 4, 5)") == [(3,)]
    refused(conn, f"SELECT count(*) FROM {t} WHERE id IN (1, 2, 3, 4, 5, 6)")
    assert "rule complexity.require_where" in refused(conn, f"DELETE FROM {t}")
    refused(conn, f"UPDATE {t} SET note = 'x'")
    run(conn, f"UPDATE {t} SET note = 'x' WHERE id = 1")
    run(conn, f"DELETE FROM {t} WHERE id = 3")
    assert "rule complexity.max_statement_bytes" in refused(conn, "SELECT '" + "y" * 2100 + "'")
    assert run(conn, f"SELECT count(*) FROM {t}") == [(2,)]
    conn.close()


def test_injection_heuristics(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward, {"injection": {"detect": True}})
    conn = proxy.connect()
    conn.autocommit = True
    t = table
    assert "rule injection.tautology" in refused(conn, f"SELECT * FROM {t} WHERE note = '' OR '1'='1'")
    refused(conn, f"SELECT * FROM {t} WHERE id = 1 OR 1=1")
    refused(conn, f"SELECT * FROM {t} WHERE note = 'a' OR note = note")
    refused(conn, f"SELECT note FROM {t} WHERE id = -1 UNION SELECT usename FROM pg_catalog.pg_user")
    refused(conn, f"SELECT note FROM {t} WHERE id = 1 AND 1 = (SELECT 1 FROM pg_sleep(0))")
    # What application statements look like, literals holding the same words.
    assert run(conn, f"SELECT note FROM {t} WHERE note = 'OR 1=1'") == [("OR 1=1",)]
    assert run(conn, f"SELECT count(*) FROM {t} WHERE 1=1 AND id > 1") == [(2,)]
    assert run(conn, f"SELECT note FROM {t} WHERE id = 1 OR id = 2 ORDER BY id") \
        == [("one",), ("OR 1=1",)]
    assert run(conn, "SELECT 'UNION SELECT usename FROM pg_user' /* UNION SELECT */") \
        == [("UNION SELECT usename FROM pg_user",)]
    assert run(conn, f"SELECT id FROM {t} WHERE id = 1 /*controller='users',"
                     f"traceparent='00-4bf9-01'*/") == [(1,)]
    conn.close()


def test_unparseable(pg_server, start_dbward):
    proxy = start(pg_server, start_dbward, {})
    conn = proxy.connect()
    conn.autocommit = True
    assert "rule unparseable" in refused(conn, "SELECT 'unterminated")
    refused(conn, "SELECT (1")
    conn.close()

    lenient = start(pg_server, start_dbward, {"unparseable": "allow"})
    conn = lenient.connect()
    conn.autocommit = True
    with pytest.raises(psycopg2.Error) as exc:
        run(conn, "SELECT (1")
    assert exc.value.pgcode == "42601"  # the server's own syntax error
    conn.close()


def test_sql_level_prepare(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward, {
        "statements": {"deny": ["ddl"]}, "complexity": {"require_where": ["delete"]},
        "identifiers": {"deny": ["pg_catalog.pg_authid"]}}, mode="session")
    conn = proxy.connect()
    conn.autocommit = True
    refused(conn, f"PREPARE wipe AS DELETE FROM {table}")
    refused(conn, "PREPARE peek AS SELECT rolpassword FROM pg_authid")
    refused(conn, f"PREPARE d AS DROP TABLE {table}")
    run(conn, f"PREPARE one (int) AS SELECT note FROM {table} WHERE id = $1")
    assert run(conn, "EXECUTE one(1)") == [("one",)]
    with pytest.raises(psycopg2.Error) as exc:
        run(conn, "EXECUTE wipe")
    assert exc.value.pgcode == "26000"  # never prepared
    conn.close()


def test_extended_protocol_parse_is_refused_at_prepare(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward, {"statements": {"deny": ["ddl"]},
                                            "functions": {"deny": ["pg_sleep"]}})

    async def go():
        conn = await asyncpg.connect(host=proxy.host, port=proxy.port, user="app",
                                     password=APP_PASSWORD, database="app")
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError) as exc:
            await conn.prepare(f"DROP TABLE {table}")
        assert "blocked by policy" in str(exc.value)
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            await conn.fetch("SELECT pg_sleep($1)", 0)
        assert await conn.fetchval(f"SELECT note FROM {table} WHERE id = $1", 2) == "OR 1=1"
        async with conn.transaction():
            await conn.execute(f"INSERT INTO {table} VALUES ($1, $2)", 60, "sixty")
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                await conn.execute(f"ALTER TABLE {table} ADD COLUMN z int")
        await conn.close()

    asyncio.run(go())


def test_refused_parse_in_a_pipelined_batch(pg_server, start_dbward, table):
    """Parse/Bind/Execute of an allowed statement, then a refused Parse and its
    Bind/Execute, then Sync: the first result, one error, ReadyForQuery."""
    proxy = start(pg_server, start_dbward, {"statements": {"deny": ["ddl"]}})
    c = WireConn(proxy.host, proxy.port)
    c.login("app", APP_PASSWORD, "app")
    c.send(parse_msg("", f"SELECT note FROM {table} WHERE id = 1") + bind_msg("", "") +
           execute_msg() + parse_msg("", f"DROP TABLE {table}") + bind_msg("", "") +
           execute_msg() + message(b"S"))
    kinds = []
    errors = []
    while True:
        kind, payload = c.read_msg()
        kinds.append(kind)
        if kind == b"E":
            errors.append(payload)
        if kind == b"Z":
            break
    assert kinds == [b"1", b"2", b"D", b"C", b"E", b"Z"], kinds
    assert b"C42501" in errors[0]
    c.send(message(b"Q", b"SELECT 7\0"))
    kinds = []
    while True:
        kind, payload = c.read_msg()
        kinds.append(kind)
        if kind == b"Z":
            assert payload == b"I"
            break
    assert b"D" in kinds and b"E" not in kinds
    c.sock.close()
    assert run(pg_server.direct_conn(), f"SELECT count(*) FROM {table}") == [(3,)]


def test_fastpath_function_call_is_refused(pg_server, start_dbward):
    proxy = start(pg_server, start_dbward, {})
    c = WireConn(proxy.host, proxy.port)
    c.login("app", APP_PASSWORD, "app")
    # FunctionCall of OID 1299 (now()), no arguments, text result.
    c.send(message(b"F", struct.pack("!Ihhh", 1299, 0, 0, 0)))
    kind, payload = c.read_msg()
    assert kind == b"E" and b"C42501" in payload
    kind, payload = c.read_msg()
    assert kind == b"Z"
    c.sock.close()


def test_monitor_mode_lets_statements_through(pg_server, start_dbward, table):
    proxy = start(pg_server, start_dbward, {"mode": "monitor",
                                            "statements": {"deny": ["ddl"]}})
    conn = proxy.connect()
    conn.autocommit = True
    run(conn, f"CREATE TABLE {table}_mon (a int)")
    assert run(conn, f"SELECT count(a) FROM {table}_mon") == [(0,)]
    run(conn, f"DROP TABLE {table}_mon")
    lines = would_block_lines(proxy)
    assert len(lines) == 2 and '"test" (monitor)' in lines[0] and "ddl" in lines[0], lines
    assert not blocked_lines(proxy)
    conn.close()


def test_policy_match_picks_the_first_fitting_policy(pg_server, start_dbward, table):
    cfg = pg_config(pg_server)
    cfg["users"].append({"name": "report", "password": "rep-Pw-1234", "backend_user": "app",
                         "backend_password": APP_PASSWORD})
    text = with_policies(cfg, [
        {"name": "reporting", "match": {"user": "report"},
         "statements": {"deny": ["ddl"]}, "identifiers": {"allow": [f"public.{table}"]}},
        {"name": "nobody-else", "match": {"user": "nobody"}, "statements": {"deny": ["ddl"]}},
        {"name": "localhost-app", "match": {"user": "app", "client": "127.0.0.0/8"},
         "functions": {"deny": ["pg_sleep"]}},
    ])
    proxy = start_dbward(text)
    rep = proxy.connect(user="report", password="rep-Pw-1234")
    rep.autocommit = True
    assert run(rep, f"SELECT count(*) FROM {table}") == [(3,)]
    refused(rep, "SELECT count(*) FROM pg_class", policy="reporting")
    refused(rep, f"DROP TABLE {table}", policy="reporting")
    app = proxy.connect()
    app.autocommit = True
    refused(app, "SELECT pg_sleep(0)", policy="localhost-app")
    assert run(app, "SELECT count(*) > 0 FROM pg_class") == [(True,)]
    rep.close()
    app.close()
