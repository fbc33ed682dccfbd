"""Statement policies through dbward with MySQL clients (PyMySQL, MySQLdb,
raw COM_STMT_PREPARE) against MariaDB: refusals answer 1227 / 42000 with a
message naming the policy, the session stays usable, and ordinary statements
(with literals and comments holding the same words) pass."""
import re
import struct
import uuid

import MySQLdb
import pymysql
import pytest
from pymysql.constants import CLIENT

from dbward_helpers import my_config
from my_wire import MyConn
from policy_helpers import blocked_lines, with_policies, would_block_lines
from servers import APP_PASSWORD

COM_STMT_PREPARE = 0x16


def start(maria_server, start_dbward, policy, **kw):
    policy = dict(policy)
    policy.setdefault("name", "test")
    policy.setdefault("match", {})
    return start_dbward(with_policies(my_config(maria_server, **kw), [policy]))


def connect(proxy, **kw):
    args = dict(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                database="app", connect_timeout=10, read_timeout=30, autocommit=True,
                client_flag=CLIENT.MULTI_STATEMENTS)
    args.update(kw)
    return pymysql.connect(**args)


def run(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def refused(conn, sql, policy="test"):
    with pytest.raises(pymysql.err.MySQLError) as exc:
        run(conn, sql)
    code, msg = exc.value.args[0], exc.value.args[1]
    assert code == 1227, (sql, code, msg)
    assert msg.startswith(f'dbward: statement blocked by policy "{policy}"'), msg
    assert re.search(r"\(ref [0-9a-f]+-[0-9a-f]+-[0-9a-f]+\)$", msg), msg
    assert run(conn, "SELECT 41 + 1") == ((42,),)
    return msg


@pytest.fixture
def table(maria_server):
    name = f"pol_{uuid.uuid4().hex[:8]}"
    maria_server.sql(f"CREATE TABLE {name} (id INT PRIMARY KEY, note VARCHAR(64)); "
                     f"INSERT INTO {name} VALUES (1, 'one'), (2, 'OR 1=1'), "
                     f"(3, 'x; DROP TABLE t')", database="app")
    yield name
    maria_server.sql(f"DROP TABLE IF EXISTS {name}", database="app")


def count(maria_server, table):
    out = maria_server.sql(f"SELECT COUNT(*) FROM {table}", database="app")
    return int(str(out).split()[-1])


def test_statement_classes(maria_server, start_dbward, table):
    proxy = start(maria_server, start_dbward,
                  {"statements": {"deny": ["ddl", "grant", "admin", "load_data", "outfile"]}})
    conn = connect(proxy)
    t = table
    assert "rule statements" in refused(conn, f"CREATE TABLE {t}_x (a INT)")
    refused(conn, f"ALTER TABLE {t} ADD COLUMN b INT")
    refused(conn, f"DROP TABLE {t}")
    refused(conn, f"TRUNCATE TABLE {t}")
    refused(conn, f"RENAME TABLE {t} TO {t}_y")
    refused(conn, f"GRANT SELECT ON app.{t} TO 'app'@'%'")
    refused(conn, "CREATE USER 'intruder'@'%' IDENTIFIED BY 'x'")
    refused(conn, "SET PASSWORD = PASSWORD('x')")
    refused(conn, "FLUSH PRIVILEGES")
    refused(conn, "KILL 1")
    refused(conn, f"LOCK TABLES {t} WRITE")
    refused(conn, f"LOAD DATA INFILE '/etc/passwd' INTO TABLE {t}")
    refused(conn, f"SELECT * FROM {t} INTO OUTFILE '/tmp/dbward-out'")
    refused(conn, f"SELECT note INTO DUMPFILE '/tmp/dbward-dump' FROM {t} LIMIT 1")
    assert run(conn, f"SELECT note FROM {t} WHERE note = 'x; DROP TABLE t' # DROP TABLE") \
        == (("x; DROP TABLE t",),)
    assert run(conn, "SELECT 'CREATE TABLE x (a int)' /* GRANT ALL */") == (("CREATE TABLE x (a int)",),)
    assert run(conn, "SELECT \"it's -- not a comment\"") == (("it's -- not a comment",),)
    run(conn, f"INSERT INTO {t} VALUES (10, 'ten') ON DUPLICATE KEY UPDATE note = 'ten'")
    run(conn, f"REPLACE INTO {t} VALUES (11, 'eleven')")
    run(conn, f"UPDATE {t} SET note = 'TEN' WHERE id = 10")
    run(conn, "SET NAMES utf8mb4")
    assert len(blocked_lines(proxy)) == 14
    conn.close()


def test_multi_statements_and_executable_comments(maria_server, start_dbward, table):
    proxy = start(maria_server, start_dbward, {
        "multi_statements": "deny", "statements": {"deny": ["ddl"]},
        "identifiers": {"deny": ["mysql.*"]}})
    conn = connect(proxy)
    t = table
    assert "rule multi_statements" in refused(conn, "SELECT 1; SELECT 2")
    refused(conn, f"SELECT * FROM {t} WHERE id = 1; DROP TABLE {t}")
    refused(conn, f"SELECT 1 -- x\n; DROP TABLE {t}")
    refused(conn, f"SELECT 1 # x\n; DROP TABLE {t}")
    refused(conn, f"SELECT 1 /*!; DROP TABLE {t} */")
    refused(conn, f"SELECT 1 /*!50000 , (SELECT User FROM mysql.user LIMIT 1) */")
    refused(conn, f"SELECT 1 /*M!100000 , (SELECT User FROM mysql.user LIMIT 1) */")
    refused(conn, f"/*!DROP*/ TABLE {t}")
    # MySQL's "--" needs a space after it: "--1" is arithmetic, not a comment.
    refused(conn, f"SELECT 1 --1\n; DROP TABLE {t}")
    assert run(conn, "SELECT 1 --1") == ((2,),)
    assert run(conn, "SELECT ';' AS semi") == ((";",),)
    assert run(conn, "SELECT 1 /* ; DROP TABLE x; */") == ((1,),)
    assert count(maria_server, t) == 3
    conn.close()


def test_identifier_rules(maria_server, start_dbward, table):
    proxy = start(maria_server, start_dbward, {"identifiers": {
        "deny": ["mysql.*", "information_schema.*", "*.*secret*"],
        "pattern": "^[A-Za-z_][A-Za-z0-9_$]*$", "max_length": 40}})
    conn = connect(proxy)
    for sql in ["SELECT User FROM mysql.user", "SELECT User FROM `mysql`.`user`",
                "SELECT User FROM MYSQL.USER", "SELECT table_name FROM information_schema.tables",
                f"SELECT * FROM {table} JOIN top_secret s ON s.id = {table}.id"]:
        assert "rule identifiers.deny" in refused(conn, sql)
    # Unqualified names are in the current database.
    app_db = start(maria_server, start_dbward, {"identifiers": {"deny": ["app.forbidden"]}})
    other = connect(app_db)
    assert "rule identifiers.deny" in refused(other, "SELECT * FROM forbidden")
    assert "rule identifiers.deny" in refused(other, "SELECT * FROM APP.Forbidden")
    with pytest.raises(pymysql.err.MySQLError) as exc:
        run(other, "SELECT * FROM nowhere.forbidden")
    assert exc.value.args[0] != 1227
    other.close()
    assert "rule identifiers.pattern" in refused(conn, "SELECT 1 AS `weird name`")
    assert "rule identifiers.max_length" in refused(conn, "SELECT 1 AS " + "x" * 41)
    assert run(conn, "SELECT 'mysql.user' -- FROM mysql.user") == (("mysql.user",),)
    assert run(conn, f"SELECT COUNT(*) FROM {table} AS user") == ((3,),)
    conn.close()


def test_functions_and_complexity(maria_server, start_dbward, table):
    proxy = start(maria_server, start_dbward, {
        "functions": {"deny": ["sleep", "benchmark", "load_file"]},
        "complexity": {"max_joins": 1, "max_unions": 1, "max_in_list": 3,
                       "require_where": ["update", "delete"]}})
    conn = connect(proxy)
    t = table
    assert "rule functions" in refused(conn, "SELECT SLEEP(0)")
    refused(conn, "SELECT sleep (0)")
    refused(conn, "SELECT sleep/**/(0)")
    refused(conn, "SELECT BENCHMARK(10, MD5('x'))")
    refused(conn, "SELECT LOAD_FILE('/etc/passwd')")
    assert run(conn, "SELECT 'sleep(5)'") == (("sleep(5)",),)
    assert run(conn, "SELECT 1 # sleep(5)") == ((1,),)
    assert run(conn, f"SELECT COUNT(*) FROM {t} a JOIN {t} b USING (id)") == ((3,),)
    assert "rule complexity.max_joins" in refused(
        conn, f"SELECT 1 FROM {t} a JOIN {t} b USING (id) JOIN {t} c USING (id)")
    refused(conn, "SELECT 1 UNION SELECT 2 UNION SELECT 3")
    refused(conn, f"SELECT * FROM {t} WHERE id IN (1, 2, 3, 4)")
    assert "rule complexity.require_where" in refused(conn, f"DELETE FROM {t}")
    refused(conn, f"UPDATE {t} SET note = 'x'")
    run(conn, f"DELETE FROM {t} WHERE id = 3")
    assert count(maria_server, t) == 2
    conn.close()


def test_injection_heuristics(maria_server, start_dbward, table):
    proxy = start(maria_server, start_dbward, {"injection": {"detect": True}})
    conn = connect(proxy)
    t = table
    assert "rule injection.tautology" in refused(conn, f"SELECT * FROM {t} WHERE note = '' OR '1'='1'")
    refused(conn, f"SELECT * FROM {t} WHERE id = 1 OR 1=1")
    refused(conn, f"SELECT note FROM {t} WHERE id = -1 UNION SELECT User FROM mysql.user")
    refused(conn, f"SELECT note FROM {t} WHERE id = 1 AND IF(1=1, SLEEP(0), 0)")
    refused(conn, f"SELECT * FROM {t} WHERE note = 'admin'-- ' AND id = 5")
    refused(conn, f"SELECT * FROM {t} WHERE note = 'admin'#' AND id = 5")
    assert run(conn, f"SELECT note FROM {t} WHERE note = 'OR 1=1'") == (("OR 1=1",),)
    assert run(conn, f"SELECT COUNT(*) FROM {t} WHERE 1=1 AND id > 1") == ((2,),)
    assert run(conn, "SELECT 'UNION SELECT User FROM mysql.user' /* UNION SELECT */") \
        == (("UNION SELECT User FROM mysql.user",),)
    conn.close()


def test_backslash_readings_cannot_smuggle(maria_server, start_dbward, table):
    """Whatever NO_BACKSLASH_ESCAPES says when the server parses it, a
    statement hidden behind an escaped quote is seen."""
    proxy = start(maria_server, start_dbward, {"statements": {"deny": ["ddl"]},
                                               "multi_statements": "deny"})
    conn = connect(proxy)
    refused(conn, f"SELECT 'a\\'; DROP TABLE {table}; -- '")
    run(conn, "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'")
    refused(conn, f"SELECT 'a\\'; DROP TABLE {table}; -- '")
    assert run(conn, "SELECT 'a\\b'") == (("a\\b",),)
    assert count(maria_server, table) == 3
    conn.close()


def test_prepared_statements_refused_at_prepare(maria_server, start_dbward, table):
    proxy = start(maria_server, start_dbward, {"statements": {"deny": ["ddl"]},
                                               "complexity": {"require_where": ["delete"]}})
    c = MyConn(proxy.host, proxy.port)
    c.login("app", APP_PASSWORD)
    c.command(COM_STMT_PREPARE, f"DROP TABLE {table}".encode())
    p = c.read_packet()
    assert p[0] == 0xFF and struct.unpack("<H", p[1:3])[0] == 1227
    assert b"blocked by policy" in p
    c.command(COM_STMT_PREPARE, f"SELECT note FROM {table} WHERE id = ?".encode())
    p = c.read_packet()
    assert p[0] == 0x00, p
    c.close()

    conn = connect(proxy)
    refused(conn, f"PREPARE s FROM 'DROP TABLE {table}'")
    refused(conn, f"PREPARE s FROM 'DELETE FROM {table}'")
    refused(conn, "PREPARE s FROM @sql")
    run(conn, f"PREPARE ok FROM 'SELECT note FROM {table} WHERE id = ?'")
    run(conn, "SET @id = 1")
    assert run(conn, "EXECUTE ok USING @id") == (("one",),)
    conn.close()

    db = MySQLdb.connect(host=proxy.host, port=proxy.port, user="app", passwd=APP_PASSWORD,
                         db="app")
    cur = db.cursor()
    with pytest.raises(MySQLdb.OperationalError) as exc:
        cur.execute(f"DROP TABLE {table}")
    assert exc.value.args[0] == 1227
    cur.execute(f"SELECT COUNT(*) FROM {table}")
    assert cur.fetchone() == (3,)
    db.close()
    assert count(maria_server, table) == 3


def test_monitor_mode(maria_server, start_dbward, table):
    proxy = start(maria_server, start_dbward, {"mode": "monitor", "statements": {"deny": ["ddl"]}})
    conn = connect(proxy)
    run(conn, f"ALTER TABLE {table} ADD COLUMN extra INT")
    assert run(conn, f"SELECT COUNT(extra) FROM {table}") == ((0,),)
    lines = would_block_lines(proxy)
    assert len(lines) == 1 and '"test" (monitor)' in lines[0], lines
    assert not blocked_lines(proxy)
    conn.close()
