"""The extended query protocol byte by byte: pipelined batches, named
statements that outlive the server connection they were parsed on, errors
inside a batch, Flush and Describe."""
from dbward_helpers import pg_config
from pg_wire import (FLUSH, SYNC, WireConn, bind_msg, close_msg, describe_msg, execute_msg,
                     parse_msg)
from servers import APP_PASSWORD


def login(proxy):
    c = WireConn(proxy.host, proxy.port)
    c.login("app", APP_PASSWORD, "app")
    return c


def kinds(msgs):
    return b"".join(k for k, _ in msgs)


def rows(msgs):
    return [v for k, v in msgs if k == b"D"]


def test_pipelined_batch(pg_proxy):
    c = login(pg_proxy)
    batch = parse_msg("s1", "SELECT $1::int * 2", [23]) + SYNC
    for i in range(20):
        batch += bind_msg("", "s1", [i]) + execute_msg() + SYNC
    c.send(batch)  # everything before reading any reply
    msgs = c.collect(n_ready=21)
    assert rows(msgs) == [(str(i * 2),) for i in range(20)]
    assert kinds(msgs).count(b"Z") == 21
    assert b"E" not in kinds(msgs)
    c.close()


def test_unnamed_statement_batch_with_describe(pg_proxy):
    c = login(pg_proxy)
    c.send(parse_msg("", "SELECT $1::text AS greeting, 5 AS n") + bind_msg("", "", ["hi"])
           + describe_msg(b"P", "") + execute_msg() + SYNC)
    msgs = c.collect()
    assert kinds(msgs) == b"12TDCZ"
    assert rows(msgs) == [("hi", "5")]
    c.close()


def test_error_inside_batch_skips_to_sync(pg_proxy):
    c = login(pg_proxy)
    c.send(parse_msg("", "SELECT 1/$1::int") + bind_msg("", "", [0]) + execute_msg()
           + bind_msg("", "", [1]) + execute_msg() + SYNC
           + parse_msg("", "SELECT 'after'") + bind_msg("", "") + execute_msg() + SYNC)
    msgs = c.collect(n_ready=2)
    errors = [v for k, v in msgs if k == b"E"]
    assert len(errors) == 1 and errors[0]["C"] == "22012"
    assert rows(msgs) == [("after",)]
    c.close()


def test_flush_returns_results_before_sync(pg_proxy):
    c = login(pg_proxy)
    c.send(parse_msg("f1", "SELECT 'flushed'") + bind_msg("", "f1") + execute_msg() + FLUSH)
    seen = []
    while b"C" not in [k for k, _ in seen]:
        kind, payload = c.read_msg()
        seen.append((kind, payload))
    assert [k for k, _ in seen] == [b"1", b"2", b"D", b"C"]
    c.send(SYNC)
    kind, payload = c.read_msg()
    assert kind == b"Z" and payload == b"I"
    c.close()


def test_named_statement_survives_server_switch(pg_server, start_dbward):
    """Transaction mode, one server connection, two clients: each client's named
    statement must exist on the server connection whenever that client runs it."""
    proxy = start_dbward(pg_config(pg_server, mode="transaction", size=1))
    a = login(proxy)
    b = login(proxy)
    a.send(parse_msg("stmt", "SELECT 'a:' || $1::text") + SYNC)
    assert kinds(a.collect()) == b"1Z"
    # b uses the same statement name for a different query
    b.send(parse_msg("stmt", "SELECT 'b:' || $1::text") + SYNC)
    assert kinds(b.collect()) == b"1Z"
    for i in range(10):
        for name, conn in (("a", a), ("b", b)):
            conn.send(bind_msg("", "stmt", [i]) + execute_msg() + SYNC)
            msgs = conn.collect()
            assert rows(msgs) == [(f"{name}:{i}",)], msgs
    # Close then re-Parse under the same name
    a.send(close_msg(b"S", "stmt") + parse_msg("stmt", "SELECT 'a2'") + bind_msg("", "stmt")
           + execute_msg() + SYNC)
    msgs = a.collect()
    assert rows(msgs) == [("a2",)], msgs
    b.send(bind_msg("", "stmt", ["x"]) + execute_msg() + SYNC)
    assert rows(b.collect()) == [("b:x",)]
    a.close()
    b.close()


def test_duplicate_statement_name_is_an_error(pg_proxy):
    c = login(pg_proxy)
    c.send(parse_msg("dup", "SELECT 1") + SYNC)
    assert kinds(c.collect()) == b"1Z"
    c.send(parse_msg("dup", "SELECT 2") + SYNC)
    msgs = c.collect()
    errors = [v for k, v in msgs if k == b"E"]
    assert errors and errors[0]["C"] == "42P05", msgs
    c.send(bind_msg("", "dup") + execute_msg() + SYNC)
    assert rows(c.collect()) == [("1",)]
    c.close()


def test_portal_in_transaction_fetched_in_chunks(pg_proxy):
    """pgJDBC setFetchSize: a named portal inside a transaction, interleaved with other statements."""
    c = login(pg_proxy)
    c.query("BEGIN")
    c.send(parse_msg("", "SELECT g FROM generate_series(1, 10) g") + bind_msg("cur", "")
           + execute_msg("cur", 4) + SYNC)
    msgs = c.collect()
    assert rows(msgs) == [(str(i),) for i in range(1, 5)]
    assert b"s" in kinds(msgs)  # PortalSuspended
    assert c.query("SELECT 'between'") == [("between",)]
    c.send(execute_msg("cur", 4) + SYNC)
    assert rows(c.collect()) == [(str(i),) for i in range(5, 9)]
    c.send(execute_msg("cur", 0) + SYNC)
    assert rows(c.collect()) == [("9",), ("10",)]
    c.query("COMMIT")
    c.close()
