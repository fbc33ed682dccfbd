"""asyncpg through dbward: extended protocol, named prepared statements,
pipelined batches and binary COPY, in transaction pooling mode."""
import asyncio
import io
import uuid

import asyncpg
import pytest

from dbward_helpers import pg_config
from servers import APP_PASSWORD


def run(coro, timeout=45):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def connect(proxy, **kw):
    args = dict(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                database="app", timeout=10)
    args.update(kw)
    return await asyncpg.connect(**args)


def table_name(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def test_fetch_with_parameters(pg_proxy):
    async def go():
        conn = await connect(pg_proxy)
        rows = await conn.fetch("SELECT g, $2::text || g FROM generate_series(1, $1::int) g", 5,
                                "row-")
        val = await conn.fetchval("SELECT $1::int[] || $2::int", [1, 2], 3)
        rec = await conn.fetchrow("SELECT $1::jsonb -> 'a' AS a, $2::bytea AS b",
                                  '{"a": 7}', b"\x00\xfe")
        await conn.close()
        return rows, val, rec
    rows, val, rec = run(go())
    assert [tuple(r) for r in rows] == [(i, f"row-{i}") for i in range(1, 6)]
    assert val == [1, 2, 3]
    assert rec["a"] == "7" and rec["b"] == b"\x00\xfe"


def test_prepared_statement_reused(pg_proxy):
    async def go():
        conn = await connect(pg_proxy)
        stmt = await conn.prepare("SELECT $1::int * 2")
        out = [await stmt.fetchval(i) for i in range(50)]
        await conn.close()
        return out
    assert run(go()) == [i * 2 for i in range(50)]


def test_transaction_rollback(pg_proxy):
    t = table_name("arb")

    async def go():
        a = await connect(pg_proxy)
        b = await connect(pg_proxy)
        await a.execute(f"CREATE TABLE {t} (id int PRIMARY KEY)")
        with pytest.raises(RuntimeError):
            async with a.transaction():
                await a.execute(f"INSERT INTO {t} VALUES (1), (2)")
                assert await a.fetchval(f"SELECT count(*) FROM {t}") == 2
                raise RuntimeError("roll it back")
        async with a.transaction():
            await a.execute(f"INSERT INTO {t} VALUES (3)")
        seen = await b.fetchval(f"SELECT array_agg(id) FROM {t}")
        with pytest.raises(asyncpg.UniqueViolationError) as exc:
            await a.execute(f"INSERT INTO {t} VALUES (3)")
        assert exc.value.sqlstate == "23505"
        after = await a.fetchval("SELECT 'usable'")
        await a.execute(f"DROP TABLE {t}")
        await a.close()
        await b.close()
        return seen, after
    seen, after = run(go())
    assert seen == [3]
    assert after == "usable"


def test_executemany(pg_proxy):
    t = table_name("aem")

    async def go():
        conn = await connect(pg_proxy)
        await conn.execute(f"CREATE TABLE {t} (id int, v text)")
        await conn.executemany(f"INSERT INTO {t} VALUES ($1, $2)",
                               [(i, f"v{i}") for i in range(2000)])
        res = await conn.fetchrow(f"SELECT count(*), sum(id) FROM {t}")
        await conn.execute(f"DROP TABLE {t}")
        await conn.close()
        return tuple(res)
    assert run(go()) == (2000, sum(range(2000)))


def test_copy_both_ways(pg_proxy):
    t = table_name("acopy")

    async def go():
        conn = await connect(pg_proxy)
        await conn.execute(f"CREATE TABLE {t} (id int, v text)")
        await conn.copy_records_to_table(t, records=[(i, f"r{i}") for i in range(20000)],
                                         columns=["id", "v"])
        await conn.copy_to_table(t, source=io.BytesIO(b"100000,csv-a\n100001,csv-b\n"),
                                 format="csv")
        count = await conn.fetchval(f"SELECT count(*) FROM {t}")
        out = io.BytesIO()
        await conn.copy_from_query(f"SELECT id, v FROM {t} WHERE id >= $1 ORDER BY id", 19998,
                                   output=out, format="csv")
        buf = io.BytesIO()
        await conn.copy_from_table(t, output=buf)
        await conn.execute(f"DROP TABLE {t}")
        await conn.close()
        return count, out.getvalue(), buf.getvalue()
    count, out, whole = run(go())
    assert count == 20002
    assert out == b"19998,r19998\n19999,r19999\n100000,csv-a\n100001,csv-b\n"
    assert whole.count(b"\n") == 20002


def test_named_statements_across_a_small_pool(pg_server, start_dbward):
    """5 asyncpg connections (named prepared statements, statement cache on)
    share 2 server connections: every statement must be prepared wherever the
    client lands."""
    proxy = start_dbward(pg_config(pg_server, size=2))

    async def worker(n):
        conn = await connect(proxy)
        for i in range(200):
            assert await conn.fetchval("SELECT $1::int + 1", i) == i + 1
            if i % 50 == 0:
                assert await conn.fetchval("SELECT $1::text || $2::text", "w", str(n)) == f"w{n}"
        await conn.close()
        return n

    async def go():
        return sorted(await asyncio.gather(*(worker(n) for n in range(5))))
    assert run(go(), timeout=60) == [0, 1, 2, 3, 4]


def test_asyncpg_pool_with_transactions(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, size=3))
    t = table_name("apool")

    async def go():
        pool = await asyncpg.create_pool(host=proxy.host, port=proxy.port, user="app",
                                         password=APP_PASSWORD, database="app", min_size=8,
                                         max_size=8, timeout=10)
        await pool.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, n int)")

        async def txn(i):
            async with pool.acquire() as conn:
                async with conn.transaction():
                    await conn.execute(f"INSERT INTO {t} VALUES ($1, $2)", i, i * i)
                    await asyncio.sleep(0.005)
                    return await conn.fetchval(f"SELECT n FROM {t} WHERE id = $1", i)
        got = await asyncio.gather(*(txn(i) for i in range(200)))
        total = await pool.fetchval(f"SELECT count(*) FROM {t}")
        await pool.execute(f"DROP TABLE {t}")
        await pool.close()
        return got, total
    got, total = run(go(), timeout=60)
    assert got == [i * i for i in range(200)]
    assert total == 200
