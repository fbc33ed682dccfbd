"""MySQL server connection pooling: sharing, limits, waiting, pinning, and
what a server connection carries (or must not carry) from one client to the
next. Server-side counts come from information_schema.PROCESSLIST, read
directly on MariaDB (as root over its unix socket), never through dbward."""
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pymysql
import pytest

from dbward_helpers import my_config
import my_wire
from my_wire import MyConn
from servers import APP_PASSWORD


def connect(proxy, **kw):
    args = dict(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                database="app", connect_timeout=10, read_timeout=60, autocommit=True)
    args.update(kw)
    return pymysql.connect(**args)


def one(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()


def root_conn(maria):
    return pymysql.connect(unix_socket=maria.socket, user="root", autocommit=True,
                           connect_timeout=10)


def count_app_connections(root):
    with root.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'")
        return cur.fetchone()[0]


def wait_for_no_app_connections(root, timeout=15):
    """Server connections of earlier tests' dbward processes take a moment to go."""
    deadline = time.time() + timeout
    while count_app_connections(root) and time.time() < deadline:
        time.sleep(0.1)


@pytest.mark.deadline(180)
@pytest.mark.parametrize("n_clients,pool_size", [(100, 10), (150, 20)])
def test_many_clients_share_a_small_pool(maria_server, start_dbward, n_clients, pool_size):
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=pool_size,
                                   timeouts={"pool_wait": "30s"}))
    root = root_conn(maria_server)
    wait_for_no_app_connections(root)
    barrier = threading.Barrier(n_clients, timeout=90)
    errors, done, samples = [], [], []
    stop = threading.Event()
    sampler_root = root_conn(maria_server)

    def sampler():
        while not stop.is_set():
            samples.append(count_app_connections(sampler_root))
            time.sleep(0.01)

    def client(i):
        try:
            conn = connect(proxy, autocommit=False, read_timeout=90)
            barrier.wait()  # every client is connected at the same time
            for j in range(3):
                with conn.cursor() as cur:
                    cur.execute("SELECT SLEEP(0.01)")
                    cur.execute("SELECT %s * 10 + %s", (i, j))
                    assert cur.fetchone()[0] == i * 10 + j
                conn.commit()
            conn.autocommit(True)
            assert one(conn, "SELECT %s", (f"client-{i}",)) == (f"client-{i}",)
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
        t.join(150)
    stop.set()
    st.join(10)
    sampler_root.close()
    root.close()
    assert not errors, errors[:10]
    assert len(done) == n_clients
    assert samples and 0 < max(samples) <= pool_size, (max(samples), pool_size)


@pytest.mark.parametrize("workers", [1, 2])
def test_transaction_mode_shares_one_server_connection(maria_server, start_dbward, workers):
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=1, workers=workers))
    a, b = connect(proxy), connect(proxy)
    ids = set()
    for _ in range(5):
        for conn in (a, b):
            ids.add(one(conn, "SELECT CONNECTION_ID()")[0])
    assert len(ids) == 1, ids
    a.close()
    b.close()


def start_implicit_transaction(conn):
    """With autocommit off, reading an InnoDB table opens a transaction (a
    SELECT that touches no table does not)."""
    t = f"implicit_{uuid.uuid4().hex[:10]}"
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY) ENGINE=InnoDB")
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        cur.execute("SELECT @@in_transaction, CONNECTION_ID()")
        in_tx, conn_id = cur.fetchone()
    assert in_tx == 1
    return t, conn_id


def drop_table(conn, t):
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE {t}")


def test_transaction_holds_the_server_connection(maria_server, start_dbward):
    """With one server connection, B waits while A's transaction is open."""
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=1))
    a = connect(proxy, autocommit=False)
    b = connect(proxy)
    t, a_id = start_implicit_transaction(a)
    got = {}

    def run_b():
        t0 = time.time()
        got["row"] = one(b, "SELECT 'b', CONNECTION_ID()")
        got["waited"] = time.time() - t0

    th = threading.Thread(target=run_b)
    th.start()
    time.sleep(1.0)
    assert "row" not in got
    assert one(a, "SELECT CONNECTION_ID()")[0] == a_id  # A keeps its connection meanwhile
    a.commit()
    th.join(10)
    assert got["row"] == ("b", a_id)
    assert got["waited"] >= 0.9
    drop_table(b, t)
    a.close()
    b.close()


def test_explicit_transaction_holds_in_autocommit_mode(maria_server, start_dbward):
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=1,
                                   timeouts={"pool_wait": "1s"}))
    a, b = connect(proxy), connect(proxy)
    with a.cursor() as cur:
        cur.execute("START TRANSACTION")
    with pytest.raises(pymysql.err.OperationalError) as exc:
        one(b, "SELECT 1")
    assert exc.value.args[0] == 1040
    with a.cursor() as cur:
        cur.execute("COMMIT")
    assert one(b, "SELECT 2") == (2,)
    a.close()
    b.close()


def test_pool_wait_timeout_gives_1040(maria_server, start_dbward):
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=1,
                                   timeouts={"pool_wait": "1s"}))
    b = connect(proxy)
    a = connect(proxy, autocommit=False)
    t, _ = start_implicit_transaction(a)  # A holds the only server connection
    t0 = time.time()
    with pytest.raises(pymysql.err.OperationalError) as exc:
        one(b, "SELECT 'b'")
    waited = time.time() - t0
    assert exc.value.args[0] == 1040, exc.value.args
    assert "timed out waiting" in exc.value.args[1]
    assert 0.8 <= waited < 5
    a.commit()
    assert one(b, "SELECT 'b again'") == ("b again",)  # B's session survived the error
    drop_table(b, t)
    b.close()
    a.close()


def test_pool_wait_1040_sqlstate_on_the_wire(maria_server, start_dbward):
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=1,
                                   timeouts={"pool_wait": "1s"}))
    a = MyConn(proxy.host, proxy.port)
    a.login("app", APP_PASSWORD)
    c = MyConn(proxy.host, proxy.port)
    c.login("app", APP_PASSWORD)  # logging in takes a server connection too
    a.query("START TRANSACTION")
    with pytest.raises(my_wire.ServerError) as exc:
        c.query("SELECT 1")
    assert (exc.value.code, exc.value.sqlstate) == (1040, "08004")
    assert exc.value.message.startswith("dbward:")
    a.query("COMMIT")
    assert c.query("SELECT 'fine'") == [("fine",)]
    c.close()
    a.close()


def test_pool_size_is_shared_by_all_kinds_of_clients(maria_server, start_dbward):
    """`pool.size` caps the server connections per (backend, user, database),
    whatever capabilities and character set each client negotiated: PyMySQL,
    MySQLdb and a bare client together never get more than one here."""
    import MySQLdb
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=1,
                                   timeouts={"pool_wait": "1s"}))
    root = root_conn(maria_server)
    wait_for_no_app_connections(root)
    # everybody logs in first (a login takes a server connection for a moment)
    holder = connect(proxy)
    cconn = MySQLdb.connect(host=proxy.host, port=proxy.port, user="app", passwd=APP_PASSWORD,
                            db="app", connect_timeout=10)
    raw = MyConn(proxy.host, proxy.port)
    raw.login("app", APP_PASSWORD)
    with holder.cursor() as cur:
        cur.execute("START TRANSACTION")  # holds the only server connection
    failures = []
    try:
        cur = cconn.cursor()
        cur.execute("SELECT CONNECTION_ID()")
        failures.append(f"MySQLdb got server connection {cur.fetchone()[0]}")
    except MySQLdb.OperationalError as e:
        assert e.args[0] == 1040, e.args
    try:
        failures.append(f"bare client got server connection {raw.query('SELECT CONNECTION_ID()')}")
    except my_wire.ServerError as e:
        assert e.code == 1040, e
    n = count_app_connections(root)
    holder.commit()
    cconn.close()
    raw.close()
    holder.close()
    root.close()
    assert not failures and n == 1, (failures, f"{n} server connections with pool.size 1")


def test_session_state_pins_the_client(maria_server, start_dbward):
    """User variables and temporary tables live on one server connection: in
    transaction pooling the client keeps that connection while others rotate
    through the rest of the pool."""
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=2))
    a = connect(proxy)
    with a.cursor() as cur:
        cur.execute("SET @mine = 42")
        cur.execute("CREATE TEMPORARY TABLE pin_t (x INT)")
        cur.execute("INSERT INTO pin_t VALUES (7)")
    a_id = one(a, "SELECT CONNECTION_ID()")[0]
    others = [connect(proxy) for _ in range(3)]
    for _ in range(3):
        for o in others:
            assert one(o, "SELECT CONNECTION_ID()")[0] != a_id
        assert one(a, "SELECT @mine, (SELECT x FROM pin_t), CONNECTION_ID()") == (42, 7, a_id)
    for o in others:
        o.close()
    a.close()


@pytest.mark.parametrize("mode", ["session", "transaction"])
def test_next_client_gets_a_clean_connection(maria_server, start_dbward, mode):
    """Session pooling always, transaction pooling after a pinned session:
    the server connection is reset before the next client gets it."""
    proxy = start_dbward(my_config(maria_server, mode=mode, size=1))
    a = connect(proxy)
    with a.cursor() as cur:
        cur.execute("SELECT CONNECTION_ID()")
        a_id = cur.fetchone()[0]
        cur.execute("SET @leftover = 'from a'")
        cur.execute("SET SESSION time_zone = '+03:00'")
        cur.execute("CREATE TEMPORARY TABLE leftover_t (x INT)")
        cur.execute("PREPARE leftover_stmt FROM 'SELECT 1'")
        cur.execute("SELECT GET_LOCK('leftover_lock', 0)")
        assert cur.fetchone() == (1,)
    a.close()
    b = connect(proxy)
    row = one(b, "SELECT CONNECTION_ID(), @leftover, @@session.time_zone = @@global.time_zone, "
                 "IS_USED_LOCK('leftover_lock'), @@in_transaction")
    assert row == (a_id, None, 1, None, 0), row
    with pytest.raises(pymysql.err.ProgrammingError) as exc:
        one(b, "SELECT * FROM leftover_t")
    assert exc.value.args[0] == 1146
    with pytest.raises(pymysql.err.MySQLError) as exc:
        one(b, "EXECUTE leftover_stmt")
    assert exc.value.args[0] == 1243  # unknown prepared statement handler
    b.close()


def test_session_mode_keeps_session_state(maria_server, start_dbward):
    proxy = start_dbward(my_config(maria_server, mode="session", size=2))
    a = connect(proxy)
    with a.cursor() as cur:
        cur.execute("SET @v = 9")
        cur.execute("CREATE TEMPORARY TABLE mine (x INT)")
        cur.execute("INSERT INTO mine VALUES (5)")
    for _ in range(5):
        assert one(a, "SELECT @v, (SELECT x FROM mine)") == (9, 5)
    a.close()


def test_session_mode_pool_limit(maria_server, start_dbward):
    """Session mode: a third client waits for one of two server connections."""
    proxy = start_dbward(my_config(maria_server, mode="session", size=2,
                                   timeouts={"pool_wait": "10s"}))
    a, b = connect(proxy), connect(proxy)
    one(a, "SELECT 1")
    one(b, "SELECT 1")
    got = {}

    def third():
        c = connect(proxy)
        got["row"] = one(c, "SELECT 'third'")
        c.close()

    th = threading.Thread(target=third)
    th.start()
    time.sleep(1.0)
    assert "row" not in got
    a.close()
    th.join(15)
    assert got.get("row") == ("third",)
    b.close()


KILLED_CLIENT = r"""
import os, signal, sys, pymysql
conn = pymysql.connect(host="127.0.0.1", port=int(sys.argv[1]), user="app",
                       password=sys.argv[2], database="app", autocommit=False)
cur = conn.cursor()
cur.execute("INSERT INTO %s VALUES (2)" % sys.argv[3])
cur.execute("SELECT id FROM %s WHERE id = 1 FOR UPDATE" % sys.argv[3])
cur.execute("SELECT CONNECTION_ID()")
print(cur.fetchone()[0], flush=True)
sys.stdin.read()  # killed here, in the middle of its transaction
"""


@pytest.mark.parametrize("how", ["sigkill", "socket_close"])
def test_client_killed_mid_transaction(maria_server, start_dbward, how):
    """The transaction of a client that vanishes is never left open on a
    pooled server connection that another client then gets."""
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=1))
    t = f"killed_{uuid.uuid4().hex[:10]}"
    admin = connect(proxy)
    with admin.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY) ENGINE=InnoDB")
        cur.execute(f"INSERT INTO {t} VALUES (1)")
    if how == "sigkill":
        proc = subprocess.Popen([sys.executable, "-c", KILLED_CLIENT, str(proxy.port),
                                 APP_PASSWORD, t], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        victim_id = int(proc.stdout.readline())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    else:
        c = MyConn(proxy.host, proxy.port)
        c.login("app", APP_PASSWORD)
        c.query("START TRANSACTION")
        c.query(f"INSERT INTO {t} VALUES (2)")
        c.query(f"SELECT id FROM {t} WHERE id = 1 FOR UPDATE")
        victim_id = int(c.query("SELECT CONNECTION_ID()")[0][0])
        c.sock.close()  # no COM_QUIT
    with admin.cursor() as cur:
        cur.execute("SELECT @@in_transaction")
        assert cur.fetchone() == (0,)
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (1,)  # the victim's insert was rolled back
        cur.execute("START TRANSACTION")
        cur.execute(f"SELECT id FROM {t} WHERE id = 1 FOR UPDATE NOWAIT")  # lock released
        assert cur.fetchone() == (1,)
        cur.execute("COMMIT")
        cur.execute(f"DROP TABLE {t}")
    # whether dbward rolled back and reused the victim's server connection or
    # closed it, no transaction of it is left on the server
    root = root_conn(maria_server)
    with root.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM information_schema.INNODB_TRX "
                    "WHERE trx_mysql_thread_id = %s", (victim_id,))
        assert cur.fetchone() == (0,)
    root.close()
    admin.close()


def test_reset_connection_lifts_the_pin(maria_server, start_dbward):
    """A pinned client (user variable) keeps the only server connection until
    it sends COM_RESET_CONNECTION; then others get it again."""
    proxy = start_dbward(my_config(maria_server, mode="transaction", size=1,
                                   timeouts={"pool_wait": "1s"}))
    a, b = connect(proxy), connect(proxy)
    with a.cursor() as cur:
        cur.execute("SET @pinned = 1")
    with pytest.raises(pymysql.err.OperationalError) as exc:
        one(b, "SELECT 1")
    assert exc.value.args[0] == 1040
    a._execute_command(0x1F, b"")  # COM_RESET_CONNECTION
    a._read_ok_packet()
    assert one(b, "SELECT 'b got it'") == ("b got it",)
    assert one(a, "SELECT @pinned") == (None,)
    a.close()
    b.close()


@pytest.mark.parametrize("mode", ["transaction", "session"])
def test_new_client_starts_with_the_server_defaults(maria_server, start_dbward, mode):
    """A client that turned autocommit off leaves; the next client to get the
    same server connection starts in autocommit mode, as the greeting told it
    (drivers like PyMySQL only send SET autocommit when they want a change)."""
    proxy = start_dbward(my_config(maria_server, mode=mode, size=1, workers=1))
    a = connect(proxy, autocommit=False)
    a_id = one(a, "SELECT CONNECTION_ID()")[0]
    a.close()
    b = connect(proxy, autocommit=None)  # sends no SET autocommit at all
    assert b.get_autocommit()  # what the greeting said
    assert one(b, "SELECT CONNECTION_ID(), @@autocommit, @@in_transaction") == (a_id, 1, 0)
    b.close()
    b = connect(proxy, autocommit=True)  # PyMySQL sends nothing: it already is
    t = f"ac_{uuid.uuid4().hex[:10]}"
    with b.cursor() as cur:
        cur.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY) ENGINE=InnoDB")
        cur.execute(f"INSERT INTO {t} VALUES (1)")
        cur.execute("SELECT @@autocommit, @@in_transaction")
        assert cur.fetchone() == (1, 0)
    b.close()
    assert maria_server.sql(f"SELECT COUNT(*) FROM app.{t}") == "1"  # committed
    maria_server.sql(f"DROP TABLE app.{t}")
