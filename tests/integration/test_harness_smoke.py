"""The test servers themselves, reached directly (no dbward): if these fail,
every other failure is suspect."""
import ssl
import subprocess

import psycopg2
import pymysql

from dbward_helpers import pg_config, to_yaml
from pg_wire import AUTH_MD5, AUTH_SASL, WireConn
from servers import (APP_PASSWORD, CLEAR_PASSWORD, CLEAR_USER, MD5_PASSWORD, MD5_USER)


def test_pg_server_scram_login(pg_server):
    with pg_server.direct_conn() as conn, conn.cursor() as cur:
        cur.execute("SELECT current_user, current_database(), "
                    "current_setting('server_version_num')::int")
        user, db, version = cur.fetchone()
    assert (user, db) == ("app", "app")
    assert 150000 <= version < 160000


def test_pg_server_md5_and_cleartext_users(pg_server):
    for user, pw in ((MD5_USER, MD5_PASSWORD), (CLEAR_USER, CLEAR_PASSWORD)):
        with pg_server.direct_conn(user=user, password=pw) as conn, conn.cursor() as cur:
            cur.execute("SELECT current_user")
            assert cur.fetchone()[0] == user
    # The raw client sees the method the server picked.
    c = WireConn(pg_server.host, pg_server.port)
    c.login(MD5_USER, MD5_PASSWORD, "app")
    assert c.auth_codes[0] == AUTH_MD5
    c.close()
    c = WireConn(pg_server.host, pg_server.port)
    c.login("app", APP_PASSWORD, "app")
    assert c.auth_codes[0] == AUTH_SASL
    assert c.query("SELECT 1 + 1") == [("2",)]
    c.close()


def test_pg_server_tls_verify_full(pg_server):
    conn = pg_server.direct_conn(sslmode="verify-full", sslrootcert=pg_server.cert)
    assert conn.info.ssl_in_use
    conn.close()


def test_pg_server_superuser_access(pg_server):
    assert pg_server.psql("SELECT rolname FROM pg_roles WHERE rolname = 'app'") == "app"
    conn = pg_server.superuser_conn()
    with conn.cursor() as cur:
        cur.execute("SELECT current_user")
        assert cur.fetchone()[0] == "postgres"
    conn.close()


def test_maria_server_pymysql(maria_server):
    conn = pymysql.connect(host=maria_server.host, port=maria_server.port, user="app",
                           password=APP_PASSWORD, database="app", connect_timeout=10)
    with conn.cursor() as cur:
        cur.execute("SELECT CURRENT_USER(), DATABASE(), VERSION()")
        user, db, version = cur.fetchone()
    conn.close()
    assert user.startswith("app@") and db == "app"
    assert version.startswith("10.11")


def test_tls_files_load(tls_files):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tls_files.cert, tls_files.key)


def test_config_emitter_round_trip(pg_server, tls_files):
    """The YAML the fixtures write parses back to the same structure."""
    cfg = pg_config(pg_server, 6999, listener_tls={"mode": "require", "cert_file": tls_files.cert,
                                                   "key_file": tls_files.key})
    text = to_yaml(cfg)
    assert "listen: 127.0.0.1:6999" in text
    try:
        import yaml
    except ImportError:  # PyYAML is optional; the text check above still ran
        return
    assert yaml.safe_load(text) == cfg


def test_client_tools_present():
    for tool in (["psql", "--version"], ["pgbench", "--version"]):
        assert subprocess.run(tool, capture_output=True, timeout=30).returncode == 0
    assert psycopg2.__libpq_version__ >= 150000
