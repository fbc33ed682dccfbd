"""PyMySQL (pure Python) through dbward against MariaDB: parameters, batches,
transactions, large results, errors, multiple result sets and procedures."""
import uuid

import pymysql
import pytest
from pymysql.constants import CLIENT

from servers import APP_PASSWORD


def connect(proxy, **kw):
    args = dict(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                database="app", connect_timeout=10, read_timeout=30, write_timeout=30)
    args.update(kw)
    return pymysql.connect(**args)


def table_name(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def test_query_with_parameters(my_proxy):
    conn = connect(my_proxy)
    with conn.cursor() as cur:
        cur.execute("SELECT %s + %s, %s, %s", (40, 2, "it's \"quoted\"", None))
        assert cur.fetchone() == (42, "it's \"quoted\"", None)
        cur.execute("SELECT %(a)s * 2, CONCAT(%(b)s, 'x')", {"a": 21, "b": "caf\u00e9 "})
        assert cur.fetchone() == (42, "caf\u00e9 x")
        cur.execute("SELECT SLEEP(0)")
        assert cur.fetchone() == (0,)
        cur.execute("SELECT VERSION()")
        assert "MariaDB" in cur.fetchone()[0]
    assert "MariaDB" in conn.get_server_info()
    conn.ping(reconnect=False)
    conn.close()


def test_executemany_and_transactions(my_proxy):
    t = table_name("pm_tx")
    conn = connect(my_proxy)
    other = connect(my_proxy, autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB")
        n = cur.executemany(f"INSERT INTO {t} (id, v) VALUES (%s, %s)",
                            [(i, f"v{i}") for i in range(1, 101)])
        assert n == 100
    with other.cursor() as cur:  # not committed yet: invisible to others
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (0,)
    conn.commit()
    with other.cursor() as cur:
        cur.execute(f"SELECT COUNT(*), SUM(id) FROM {t}")
        assert cur.fetchone() == (100, 5050)

    with conn.cursor() as cur:
        cur.execute(f"DELETE FROM {t} WHERE id > %s", (50,))
        assert cur.rowcount == 50
        cur.execute(f"UPDATE {t} SET v = %s WHERE id = %s", ("changed", 1))
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (50,)  # the transaction sees its own changes
    conn.rollback()
    with other.cursor() as cur:
        cur.execute(f"SELECT COUNT(*), (SELECT v FROM {t} WHERE id = 1) FROM {t}")
        assert cur.fetchone() == (100, "v1")
    with conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (100,)
        cur.execute(f"DROP TABLE {t}")
    conn.commit()
    conn.close()
    other.close()


def test_explicit_begin_commit_in_autocommit_mode(my_proxy):
    t = table_name("pm_begin")
    conn = connect(my_proxy, autocommit=True)
    other = connect(my_proxy, autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY)")
        conn.begin()
        cur.execute(f"INSERT INTO {t} VALUES (1), (2)")
        with other.cursor() as ocur:
            ocur.execute(f"SELECT COUNT(*) FROM {t}")
            assert ocur.fetchone() == (0,)
        conn.commit()
        with other.cursor() as ocur:
            ocur.execute(f"SELECT COUNT(*) FROM {t}")
            assert ocur.fetchone() == (2,)
        cur.execute(f"DROP TABLE {t}")
    conn.close()
    other.close()


@pytest.mark.deadline(120)
def test_100000_row_join_fully_fetched(my_proxy):
    a, b = table_name("pm_big_a"), table_name("pm_big_b")
    conn = connect(my_proxy, autocommit=True, read_timeout=90)
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {a} (id INT PRIMARY KEY, pad CHAR(40))")
        cur.execute(f"CREATE TABLE {b} (id INT PRIMARY KEY)")
        cur.execute(f"INSERT INTO {a} SELECT seq, REPEAT('a', 40) FROM seq_1_to_1000")
        cur.execute(f"INSERT INTO {b} SELECT seq FROM seq_1_to_100")
        n = cur.execute(f"SELECT {a}.id, {b}.id, {a}.pad FROM {a} JOIN {b} ORDER BY 1, 2")
        rows = cur.fetchall()
        assert n == 100000 and len(rows) == 100000
        assert rows[0] == (1, 1, "a" * 40)
        assert rows[-1] == (1000, 100, "a" * 40)
        assert sum(r[0] for r in rows) == 100 * 1000 * 1001 // 2
    # unbuffered: rows streamed while the client reads them
    sconn = connect(my_proxy, cursorclass=pymysql.cursors.SSCursor, read_timeout=90)
    with sconn.cursor() as cur:
        cur.execute(f"SELECT {a}.id, {b}.id FROM {a} JOIN {b}")
        count = 0
        for _ in cur:
            count += 1
        assert count == 100000
    sconn.close()
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE {a}, {b}")
        cur.execute("SELECT 'still fine'")
        assert cur.fetchone() == ("still fine",)
    conn.close()


def test_duplicate_key_is_1062_and_connection_survives(my_proxy):
    t = table_name("pm_dup")
    conn = connect(my_proxy, autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY)")
        cur.execute(f"INSERT INTO {t} VALUES (1)")
        with pytest.raises(pymysql.err.IntegrityError) as exc:
            cur.execute(f"INSERT INTO {t} VALUES (%s)", (1,))
        assert exc.value.args[0] == 1062, exc.value.args
        assert "Duplicate entry" in exc.value.args[1]
        with pytest.raises(pymysql.err.ProgrammingError) as exc:
            cur.execute("SELEC 1")
        assert exc.value.args[0] == 1064
        cur.execute(f"INSERT INTO {t} VALUES (2)")
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (2,)
    # the same inside a transaction: the error does not end it
    conn.begin()
    with conn.cursor() as cur:
        cur.execute(f"INSERT INTO {t} VALUES (3)")
        with pytest.raises(pymysql.err.IntegrityError) as exc:
            cur.execute(f"INSERT INTO {t} VALUES (3)")
        assert exc.value.args[0] == 1062
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (2,)
        cur.execute(f"DROP TABLE {t}")
    conn.close()


def test_multiple_statements_multiple_result_sets(my_proxy):
    conn = connect(my_proxy, autocommit=True, client_flag=CLIENT.MULTI_STATEMENTS)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 AS a; SELECT 'two' AS b, 2 AS c; DO 0; SELECT 3")
        assert cur.fetchall() == ((1,),)
        assert cur.nextset()
        assert cur.fetchall() == (("two", 2),)
        assert cur.nextset()  # DO: an OK, no rows
        assert cur.description is None
        assert cur.nextset()
        assert cur.fetchall() == ((3,),)
        assert not cur.nextset()
        # an error in the middle ends the batch; the connection goes on
        with pytest.raises(pymysql.err.ProgrammingError) as exc:
            cur.execute("SELECT 1; SELECT * FROM no_such_table_here; SELECT 3")
            while cur.nextset():
                pass
        assert exc.value.args[0] == 1146
        cur.execute("SELECT 'after'")
        assert cur.fetchone() == ("after",)
    conn.close()


def test_stored_procedure_with_two_result_sets(my_proxy):
    proc = table_name("pm_proc")
    conn = connect(my_proxy, autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"""CREATE PROCEDURE {proc}(IN n INT)
BEGIN
  SELECT seq FROM seq_1_to_5 WHERE seq <= n;
  SELECT n * 10 AS tenfold, 'second' AS label;
END""")
        cur.callproc(proc, (3,))
        assert cur.fetchall() == ((1,), (2,), (3,))
        assert cur.nextset()
        assert cur.fetchall() == ((30, "second"),)
        assert cur.nextset()  # the CALL's own status
        assert not cur.nextset()
        cur.execute(f"CALL {proc}(%s)", (1,))
        assert cur.fetchall() == ((1,),)
        while cur.nextset():
            pass
        cur.execute(f"DROP PROCEDURE {proc}")
        cur.execute("SELECT 'after call'")
        assert cur.fetchone() == ("after call",)
    conn.close()


def test_init_db_and_select_db(my_proxy, maria_server):
    maria_server.sql("CREATE DATABASE IF NOT EXISTS app2; "
                     "GRANT ALL PRIVILEGES ON app2.* TO 'app'@'%'; "
                     "GRANT ALL PRIVILEGES ON app2.* TO 'app'@'127.0.0.1'; "
                     "GRANT ALL PRIVILEGES ON app2.* TO 'app'@'localhost';")
    conn = connect(my_proxy, autocommit=True)
    with conn.cursor() as cur:
        cur.execute("SELECT DATABASE()")
        assert cur.fetchone() == ("app",)
        conn.select_db("app2")
        for _ in range(3):
            cur.execute("SELECT DATABASE()")
            assert cur.fetchone() == ("app2",)
    conn.close()
