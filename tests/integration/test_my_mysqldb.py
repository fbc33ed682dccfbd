"""MySQLdb (mysqlclient on MariaDB Connector/C) through dbward: the same
basics as PyMySQL, driven by the C library most MySQL tools are built on."""
import uuid

import MySQLdb
import MySQLdb.constants.CLIENT as CLIENT
import pytest

from servers import APP_PASSWORD


def connect(proxy, **kw):
    args = dict(host=proxy.host, port=proxy.port, user="app", passwd=APP_PASSWORD, db="app",
                connect_timeout=10, read_timeout=60, write_timeout=30)
    args.update(kw)
    return MySQLdb.connect(**args)


def table_name(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def test_parameters_and_server_info(my_proxy):
    conn = connect(my_proxy)
    assert "MariaDB" in conn.get_server_info()
    cur = conn.cursor()
    cur.execute("SELECT %s + %s, %s, %s", (40, 2, "it's", None))
    assert cur.fetchone() == (42, "it's", None)
    cur.execute("SELECT SLEEP(0), DATABASE(), CURRENT_USER()")
    assert cur.fetchone()[:2] == (0, "app")
    conn.ping()
    conn.close()


def test_executemany_commit_and_rollback(my_proxy):
    t = table_name("mdb_tx")
    conn = connect(my_proxy)
    other = connect(my_proxy)
    other.autocommit(True)
    cur = conn.cursor()
    ocur = other.cursor()
    cur.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB")
    cur.executemany(f"INSERT INTO {t} (id, v) VALUES (%s, %s)",
                    [(i, f"v{i}") for i in range(1, 201)])
    assert cur.rowcount == 200
    ocur.execute(f"SELECT COUNT(*) FROM {t}")
    assert ocur.fetchone() == (0,)
    conn.commit()
    ocur.execute(f"SELECT COUNT(*) FROM {t}")
    assert ocur.fetchone() == (200,)
    cur.execute(f"DELETE FROM {t}")
    conn.rollback()
    ocur.execute(f"SELECT COUNT(*) FROM {t}")
    assert ocur.fetchone() == (200,)
    cur.execute(f"SELECT COUNT(*) FROM {t}")
    assert cur.fetchone() == (200,)
    cur.execute(f"DROP TABLE {t}")
    conn.commit()
    conn.close()
    other.close()


@pytest.mark.deadline(120)
def test_large_join_result(my_proxy):
    conn = connect(my_proxy)
    conn.autocommit(True)
    cur = conn.cursor()
    n = cur.execute("SELECT a.seq, b.seq, REPEAT('m', 30) FROM seq_1_to_1000 a "
                    "JOIN seq_1_to_100 b ON 1 = 1")
    rows = cur.fetchall()
    assert n == 100000 and len(rows) == 100000
    assert sum(r[1] for r in rows) == 1000 * 5050
    # unbuffered (mysql_use_result)
    sconn = connect(my_proxy, cursorclass=MySQLdb.cursors.SSCursor)
    scur = sconn.cursor()
    scur.execute("SELECT a.seq FROM seq_1_to_1000 a JOIN seq_1_to_100 b ON 1 = 1")
    assert sum(1 for _ in scur) == 100000
    sconn.close()
    conn.close()


def test_duplicate_key_1062_and_connection_survives(my_proxy):
    t = table_name("mdb_dup")
    conn = connect(my_proxy)
    conn.autocommit(True)
    cur = conn.cursor()
    cur.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY)")
    cur.execute(f"INSERT INTO {t} VALUES (1)")
    with pytest.raises(MySQLdb.IntegrityError) as exc:
        cur.execute(f"INSERT INTO {t} VALUES (1)")
    assert exc.value.args[0] == 1062
    cur.execute(f"INSERT INTO {t} VALUES (2)")
    cur.execute(f"SELECT COUNT(*) FROM {t}")
    assert cur.fetchone() == (2,)
    cur.execute(f"DROP TABLE {t}")
    conn.close()


def test_multi_statements_and_procedure(my_proxy):
    proc = table_name("mdb_proc")
    conn = connect(my_proxy, client_flag=CLIENT.MULTI_STATEMENTS | CLIENT.MULTI_RESULTS)
    conn.autocommit(True)
    cur = conn.cursor()
    cur.execute("SELECT 1; SELECT 2, 'b'; SELECT 3")
    assert cur.fetchall() == ((1,),)
    assert cur.nextset()
    assert cur.fetchall() == ((2, "b"),)
    assert cur.nextset()
    assert cur.fetchall() == ((3,),)
    assert cur.nextset() is None
    cur.execute(f"CREATE PROCEDURE {proc}() BEGIN SELECT 'first'; SELECT 'second', 2; END")
    cur.execute(f"CALL {proc}()")
    assert cur.fetchall() == (("first",),)
    assert cur.nextset()
    assert cur.fetchall() == (("second", 2),)
    while cur.nextset():
        pass
    cur.execute(f"DROP PROCEDURE {proc}")
    cur.execute("SELECT 'after'")
    assert cur.fetchone() == ("after",)
    conn.close()


def test_wrong_password_is_1045(my_proxy):
    with pytest.raises(MySQLdb.OperationalError) as exc:
        connect(my_proxy, passwd="not-the-password")
    assert exc.value.args[0] == 1045, exc.value.args
    conn = connect(my_proxy)  # others still log in
    conn.close()
