"""Startup parameters and ParameterStatus in transaction pooling mode: each
client keeps its own settings on whichever server connection serves it."""
import asyncio
import threading

import asyncpg

from dbward_helpers import pg_config
from servers import APP_PASSWORD

ZONES = ["UTC", "Asia/Tokyo", "America/New_York", "Europe/Berlin", "Australia/Sydney"]


def make_schemas(pg_server, names):
    sql = []
    for name in names:
        sql.append(f"CREATE SCHEMA IF NOT EXISTS {name} AUTHORIZATION app;"
                   f"CREATE TABLE IF NOT EXISTS {name}.marker AS SELECT '{name}'::text AS v;"
                   f"ALTER TABLE {name}.marker OWNER TO app;")
    pg_server.psql("\n".join(sql), dbname="app")


def test_parameter_status_reaches_client(pg_server, pg_proxy):
    direct = pg_server.direct_conn()
    conn = pg_proxy.connect()
    try:
        assert conn.server_version == direct.server_version
        for name in ("server_version", "TimeZone", "DateStyle", "server_encoding",
                     "client_encoding", "integer_datetimes", "IntervalStyle"):
            assert conn.get_parameter_status(name) == direct.get_parameter_status(name), name
        assert conn.get_parameter_status("standard_conforming_strings") == "on"
        assert conn.get_parameter_status("client_encoding") == "UTF8"
    finally:
        conn.close()
        direct.close()


def test_startup_parameters_reported_back(pg_proxy):
    conn = pg_proxy.connect(application_name="xyz",
                            options="-c TimeZone=Asia/Tokyo -c DateStyle=ISO,DMY")
    try:
        assert conn.get_parameter_status("application_name") == "xyz"
        assert conn.get_parameter_status("TimeZone") == "Asia/Tokyo"
        assert conn.get_parameter_status("DateStyle") == "ISO, DMY"
    finally:
        conn.close()


def test_search_path_and_application_name_across_transactions(pg_server, start_dbward):
    proxy = start_dbward(pg_config(pg_server, mode="transaction", size=2))
    n_clients = 10
    schemas = [f"sp_{i}" for i in range(n_clients)]
    make_schemas(pg_server, schemas)
    problems = []

    def client(i):
        try:
            conn = proxy.connect(options=f"-c search_path={schemas[i]} -c TimeZone={ZONES[i % 5]}",
                                 application_name=f"client-{i}")
            expected = (schemas[i], f"client-{i}", ZONES[i % 5], schemas[i])
            for n in range(30):
                if n % 3 == 0:
                    conn.autocommit = False
                with conn.cursor() as cur:
                    cur.execute("SELECT current_setting('search_path'), "
                                "current_setting('application_name'), "
                                "current_setting('TimeZone'), (SELECT v FROM marker)")
                    got = cur.fetchone()
                    if got != expected:
                        problems.append((i, n, got))
                    cur.execute("SHOW application_name")
                    if cur.fetchone()[0] != f"client-{i}":
                        problems.append((i, n, "SHOW application_name"))
                if not conn.autocommit:
                    conn.commit()
                conn.autocommit = True
            conn.close()
        except Exception as e:  # noqa: BLE001 - collected and reported below
            problems.append((i, repr(e)))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not problems, problems[:10]


def test_plain_search_path_option(pg_server, pg_proxy):
    make_schemas(pg_server, ["myschema"])
    conn = pg_proxy.connect(options="-c search_path=myschema", application_name="xyz")
    conn.autocommit = True
    with conn.cursor() as cur:
        for _ in range(20):
            cur.execute("SHOW search_path")
            assert cur.fetchone()[0] == "myschema"
            cur.execute("SHOW application_name")
            assert cur.fetchone()[0] == "xyz"
            cur.execute("SELECT v FROM marker")
            assert cur.fetchone()[0] == "myschema"
    conn.close()


def test_asyncpg_server_settings(pg_server, start_dbward):
    """Parameters sent directly in the StartupMessage (not via `options`),
    including extra_float_digits as pgJDBC sends it."""
    proxy = start_dbward(pg_config(pg_server, mode="transaction", size=1))

    async def one(i):
        conn = await asyncpg.connect(
            host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
            database="app", timeout=10,
            server_settings={"extra_float_digits": str(i % 3), "application_name": f"as-{i}",
                             "statement_timeout": f"{(i + 1) * 1000}"})
        out = []
        for _ in range(10):
            out.append(tuple(await conn.fetchrow(
                "SELECT current_setting('extra_float_digits'), "
                "current_setting('application_name'), current_setting('statement_timeout')")))
        await conn.close()
        return out

    async def go():
        return await asyncio.gather(*(one(i) for i in range(4)))
    results = asyncio.run(asyncio.wait_for(go(), 45))
    for i, rows in enumerate(results):
        assert set(rows) == {(str(i % 3), f"as-{i}", f"{i + 1}s")}, (i, rows)
