"""psycopg2 (libpq) through dbward in transaction pooling mode."""
import hashlib
import io
import threading
import time
import uuid

import psycopg2
import psycopg2.errors
import pytest


def table_name(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def test_parameters_and_types(pg_proxy):
    conn = pg_proxy.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT %s::int + 1, %s::text || '!', %s::numeric * 2, %s IS NULL, %s::bytea",
                    (41, "hé 'quoted'", "1.25", None, b"\x00\x01\xff"))
        a, b, c, d, e = cur.fetchone()
    conn.close()
    assert a == 42 and b == "hé 'quoted'!" and str(c) == "2.50" and d is True
    assert bytes(e) == b"\x00\x01\xff"


def test_commit_and_rollback_seen_from_another_connection(pg_proxy):
    t = table_name("tx")
    a = pg_proxy.connect()
    b = pg_proxy.connect()
    b.autocommit = True
    with a.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v text)")
    a.commit()
    with a.cursor() as cur:
        cur.execute(f"INSERT INTO {t} VALUES (1, 'one')")
        with b.cursor() as bc:  # not yet committed: invisible to b
            bc.execute(f"SELECT count(*) FROM {t}")
            assert bc.fetchone()[0] == 0
    a.commit()
    with a.cursor() as cur:
        cur.execute(f"INSERT INTO {t} VALUES (2, 'two')")
    a.rollback()
    with b.cursor() as bc:
        bc.execute(f"SELECT array_agg(id ORDER BY id) FROM {t}")
        assert bc.fetchone()[0] == [1]
        bc.execute(f"DROP TABLE {t}")
    a.close()
    b.close()


def test_large_result_fully_fetched(pg_proxy):
    conn = pg_proxy.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT g, md5(g::text) FROM generate_series(1, 200000) g")
        rows = cur.fetchall()
    assert len(rows) == 200000
    assert sum(r[0] for r in rows) == 200000 * 200001 // 2
    assert rows[-1] == (200000, hashlib.md5(b"200000").hexdigest())
    # the connection is in a clean state afterwards
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    conn.close()


def test_server_side_cursor_in_transaction(pg_proxy):
    conn = pg_proxy.connect()
    with conn.cursor(name="big") as cur:
        cur.itersize = 5000
        cur.execute("SELECT g FROM generate_series(1, 50000) g")
        total = sum(r[0] for r in cur)
    conn.commit()
    assert total == 50000 * 50001 // 2
    conn.close()


def test_copy_in_and_out(pg_proxy):
    t = table_name("copy")
    conn = pg_proxy.connect()
    conn.autocommit = True
    data = "".join(f"{i}\tvalue {i}\n" for i in range(50000))
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id int, v text)")
        cur.copy_expert(f"COPY {t} FROM STDIN", io.StringIO(data))
        cur.execute(f"SELECT count(*), sum(id) FROM {t}")
        assert cur.fetchone() == (50000, sum(range(50000)))
        out = io.StringIO()
        cur.copy_expert(f"COPY (SELECT * FROM {t} ORDER BY id) TO STDOUT", out)
        assert out.getvalue() == data
        cur.execute(f"DROP TABLE {t}")
    conn.close()


def test_copy_in_error_keeps_connection_usable(pg_proxy):
    t = table_name("copyerr")
    conn = pg_proxy.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id int)")
        with pytest.raises(psycopg2.errors.InvalidTextRepresentation):
            cur.copy_expert(f"COPY {t} FROM STDIN", io.StringIO("1\n2\nnot-a-number\n"))
        cur.execute(f"SELECT count(*) FROM {t}")
        assert cur.fetchone()[0] == 0
        cur.execute(f"DROP TABLE {t}")
    conn.close()


def test_unique_violation_then_usable(pg_proxy):
    t = table_name("uniq")
    conn = pg_proxy.connect()
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id int PRIMARY KEY)")
        cur.execute(f"INSERT INTO {t} VALUES (1)")
    conn.commit()
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.IntegrityError) as exc:
            cur.execute(f"INSERT INTO {t} VALUES (1)")
    assert exc.value.pgcode == "23505"
    assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute(f"INSERT INTO {t} VALUES (2)")
        cur.execute(f"SELECT array_agg(id ORDER BY id) FROM {t}")
        assert cur.fetchone()[0] == [1, 2]
        cur.execute(f"DROP TABLE {t}")
    conn.commit()
    conn.close()


def _run_and_cancel(conn):
    result = {}

    def sleeper():
        t0 = time.time()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_sleep(30)")
            result["error"] = None
        except Exception as e:  # noqa: BLE001 - the test inspects it
            result["error"] = e
        result["elapsed"] = time.time() - t0

    th = threading.Thread(target=sleeper)
    th.start()
    time.sleep(1.0)
    conn.cancel()
    th.join(15)
    assert not th.is_alive(), "cancel did not interrupt the query"
    return result


def test_cancel_autocommit(pg_proxy):
    conn = pg_proxy.connect()
    conn.autocommit = True
    result = _run_and_cancel(conn)
    assert isinstance(result["error"], psycopg2.errors.QueryCanceled), result
    assert result["error"].pgcode == "57014"
    assert result["elapsed"] < 10
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    conn.close()


def test_cancel_inside_transaction(pg_proxy):
    conn = pg_proxy.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT 1")  # opens the transaction
    result = _run_and_cancel(conn)
    assert isinstance(result["error"], psycopg2.errors.QueryCanceled), result
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT 2")
        assert cur.fetchone() == (2,)
    conn.commit()
    conn.close()


def test_cancel_with_bad_key_does_nothing(pg_proxy):
    """A CancelRequest that matches no session must not cancel anybody."""
    from pg_wire import WireConn, cancel_packet
    conn = pg_proxy.connect()
    conn.autocommit = True
    result = {}

    def sleeper():
        with conn.cursor() as cur:
            cur.execute("SELECT 'done' FROM pg_sleep(1.5)")
            result["row"] = cur.fetchone()

    th = threading.Thread(target=sleeper)
    th.start()
    time.sleep(0.3)
    for key in ((1, 2), (0, 0), (0xFFFFFFFF, 0xFFFFFFFF)):
        w = WireConn(pg_proxy.host, pg_proxy.port)
        w.send(cancel_packet(*key))
        assert w.read_until_closed() == b""
    th.join(15)
    assert result.get("row") == ("done",)
    conn.close()


def test_notices_and_notifications(pg_server, start_dbward):
    from dbward_helpers import pg_config
    proxy = start_dbward(pg_config(pg_server, mode="session"))
    listener = proxy.connect()
    listener.autocommit = True
    sender = proxy.connect()
    sender.autocommit = True
    with listener.cursor() as cur:
        cur.execute("LISTEN dbward_chan")
    with sender.cursor() as cur:
        cur.execute("DO $$ BEGIN RAISE NOTICE 'hello from the server'; END $$")
        cur.execute("NOTIFY dbward_chan, 'payload-1'")
    assert any("hello from the server" in n for n in sender.notices)
    deadline = time.time() + 5
    while not listener.notifies and time.time() < deadline:
        listener.poll()
        time.sleep(0.05)
    assert [n.payload for n in listener.notifies] == ["payload-1"]
    listener.close()
    sender.close()


def test_server_error_sqlstate_reaches_client(pg_proxy):
    conn = pg_proxy.connect()
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.UndefinedTable) as exc:
            cur.execute("SELECT * FROM missing_table_xyz")
    assert exc.value.pgcode == "42P01"
    conn.rollback()
    conn.close()
