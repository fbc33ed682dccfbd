"""Server connection pooling: sharing, limits, waiting, and what a server
connection carries (or must not carry) from one client to the next."""
import threading
import time
import uuid

import psycopg2
import pytest

from dbward_helpers import pg_config


def count_app_backends(su):
    with su.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'")
        return cur.fetchone()[0]


def wait_for_no_app_backends(su, timeout=10):
    """Server connections of earlier tests' dbward processes take a moment to go away."""
    deadline = time.time() + timeout
    while count_app_backends(su) and time.time() < deadline:
        time.sleep(0.1)


@pytest.mark.deadline(150)
def test_150_clients_share_a_pool_of_20(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, mode="transaction", size=20))
    su = pg_server.superuser_conn()
    wait_for_no_app_backends(su)
    n_clients = 150
    barrier = threading.Barrier(n_clients, timeout=60)
    errors = []
    done = []
    samples = []
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            samples.append(count_app_backends(su))
            time.sleep(0.01)

    def client(i):
        try:
            conn = proxy.connect()
            barrier.wait()  # all 150 are connected at the same time
            for j in range(3):
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_sleep(0.01)")
                    cur.execute("SELECT %s::int * 10 + %s", (i, j))
                    assert cur.fetchone()[0] == i * 10 + j
                conn.commit()
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT %s::text", (f"client-{i}",))
                assert cur.fetchone()[0] == f"client-{i}"
            conn.close()
            done.append(i)
        except Exception as e:  # noqa: BLE001 - collected and reported below
            errors.append(f"client {i}: {e!r}")
            barrier.abort()

    st = threading.Thread(target=sampler)
    st.start()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    stop.set()
    st.join(10)
    su.close()
    assert not errors, errors[:10]
    assert len(done) == n_clients
    assert samples and max(samples) <= 20, max(samples)
    assert max(samples) > 0


@pytest.mark.parametrize("workers", [1, 2])
def test_transaction_mode_shares_one_server_connection(pg_server, start_dbward, workers):
    # With two workers the clients may land on different workers: the one
    # server connection then moves between them instead of being reopened.
    proxy = start_dbward(pg_config(pg_server, mode="transaction", size=1, workers=workers))
    a = proxy.connect()
    b = proxy.connect()
    a.autocommit = b.autocommit = True
    pids = set()
    for _ in range(5):
        for conn in (a, b):
            with conn.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                pids.add(cur.fetchone()[0])
    assert len(pids) == 1
    a.close()
    b.close()


def test_transaction_holds_the_server_connection(pg_server, start_dbward):
    """With one server connection, B waits while A's transaction is open."""
    proxy = start_dbward(pg_config(pg_server, mode="transaction", size=1))
    a = proxy.connect()
    b = proxy.connect()
    b.autocommit = True
    with a.cursor() as cur:
        cur.execute("SELECT 1")  # BEGIN + SELECT: A now holds the server connection
    got = {}

    def run_b():
        t0 = time.time()
        with b.cursor() as cur:
            cur.execute("SELECT 'b'")
            got["row"] = cur.fetchone()
        got["waited"] = time.time() - t0

    th = threading.Thread(target=run_b)
    th.start()
    time.sleep(1.0)
    assert "row" not in got
    a.commit()
    th.join(10)
    assert got["row"] == ("b",)
    assert got["waited"] >= 0.9
    a.close()
    b.close()


def test_pool_wait_timeout_gives_53300(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, mode="transaction", size=1,
                                   timeouts={"pool_wait": "1s"}))
    b = proxy.connect()
    b.autocommit = True
    a = proxy.connect()
    with a.cursor() as cur:
        cur.execute("SELECT 1")  # A holds the only server connection
    t0 = time.time()
    with pytest.raises(psycopg2.OperationalError) as exc:
        with b.cursor() as cur:
            cur.execute("SELECT 'b'")
    waited = time.time() - t0
    assert exc.value.pgcode == "53300", str(exc.value)
    assert 0.8 <= waited < 5
    a.commit()
    with b.cursor() as cur:  # B's session survived the error
        cur.execute("SELECT 'b again'")
        assert cur.fetchone() == ("b again",)
    a.close()
    b.close()


def test_disconnect_mid_transaction_rolls_back(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, mode="transaction", size=1))
    t = f"midtx_{uuid.uuid4().hex[:10]}"
    admin = proxy.connect()
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id int)")
    a = proxy.connect()
    with a.cursor() as cur:
        cur.execute(f"INSERT INTO {t} VALUES (1)")
        cur.execute("SET LOCAL work_mem = '7MB'")
    a.close()  # Terminate while the transaction is open
    with admin.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {t}")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT now() = statement_timestamp(), current_setting('work_mem')")
        assert cur.fetchone() == (True, "4MB")
        cur.execute(f"DROP TABLE {t}")
    admin.close()


def test_abrupt_client_close_mid_transaction(pg_server, start_dbward):
    """The client vanishes without Terminate inside a transaction holding a lock."""
    from pg_wire import WireConn
    proxy = start_dbward(pg_config(pg_server, mode="transaction", size=1))
    t = f"abrupt_{uuid.uuid4().hex[:10]}"
    admin = proxy.connect()
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id int)")
    w = WireConn(proxy.host, proxy.port)
    w.login("app", pg_server.app_password, "app")
    w.query(f"BEGIN; LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE; INSERT INTO {t} VALUES (1)")
    w.sock.close()
    with admin.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {t}")
        assert cur.fetchone()[0] == 0
        cur.execute(f"DROP TABLE {t}")
    admin.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_session_mode_resets_server_connection(pg_server, start_dbward, workers):
    proxy = start_dbward(pg_config(pg_server, mode="session", size=1, workers=workers))
    a = proxy.connect()
    a.autocommit = True
    with a.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid_a = cur.fetchone()[0]
        cur.execute("SET work_mem = '7MB'")
        cur.execute("CREATE TEMP TABLE leftover (x int)")
        cur.execute("PREPARE leftover_stmt AS SELECT 1")
        cur.execute("LISTEN leftover_channel")
    a.close()
    b = proxy.connect()
    b.autocommit = True
    with b.cursor() as cur:
        cur.execute("SELECT pg_backend_pid(), current_setting('work_mem'), "
                    "to_regclass('pg_temp.leftover') IS NULL, "
                    "(SELECT count(*) FROM pg_prepared_statements), "
                    "(SELECT count(*) FROM pg_listening_channels())")
        pid_b, work_mem, no_temp, n_prepared, n_listen = cur.fetchone()
    b.close()
    assert pid_b == pid_a, "session pool did not reuse its server connection"
    assert (work_mem, no_temp, n_prepared, n_listen) == ("4MB", True, 0, 0)


def test_session_mode_keeps_session_state(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, mode="session", size=2))
    a = proxy.connect()
    a.autocommit = True
    with a.cursor() as cur:
        cur.execute("SET work_mem = '9MB'")
        cur.execute("CREATE TEMP TABLE mine (x int)")
        cur.execute("INSERT INTO mine VALUES (5)")
        for _ in range(5):
            cur.execute("SELECT current_setting('work_mem'), (SELECT x FROM mine)")
            assert cur.fetchone() == ("9MB", 5)
    a.close()


def test_session_mode_pool_limit(pg_server, start_dbward):
    """Session mode: a third client waits for one of two server connections."""
    proxy = start_dbward(pg_config(pg_server, mode="session", size=2,
                                   timeouts={"pool_wait": "10s"}))
    a = proxy.connect()
    b = proxy.connect()
    for conn in (a, b):
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
    got = {}

    def third():
        c = proxy.connect()
        with c.cursor() as cur:
            cur.execute("SELECT 'third'")
            got["row"] = cur.fetchone()
        c.close()

    th = threading.Thread(target=third)
    th.start()
    time.sleep(1.0)
    assert "row" not in got
    a.close()
    th.join(15)
    assert got.get("row") == ("third",)
    b.close()
