"""learn mode records the fingerprints of the statements it sees into the
allowlist file; enforce mode with that allowlist then lets exactly those
statement shapes through (any literal values) and blocks everything else."""
import os
import re
import time
import uuid

import psycopg2
import pymysql
import pytest

from dbward_helpers import my_config, pg_config
from policy_helpers import with_policies
from servers import APP_PASSWORD


def wait_entries(path, n, timeout=10):
    deadline = time.time() + timeout
    entries = []
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                entries = re.findall(r'^\s*-\s*"([0-9a-f]{16})"', f.read(), re.M)
            if len(entries) >= n:
                return entries
        time.sleep(0.1)
    return entries


def policy(mode, path):
    return [{"name": "app", "match": {}, "mode": mode, "allowlist_file": path}]


def test_pg_learn_then_enforce(pg_server, start_dbward, tmp_path):
    t = f"learn_{uuid.uuid4().hex[:8]}"
    pg_server.psql(f"CREATE TABLE {t} (id int PRIMARY KEY, v text); GRANT ALL ON {t} TO app",
                   dbname="app")
    path = str(tmp_path / "learned.yaml")
    learner = start_dbward(with_policies(pg_config(pg_server), policy("learn", path)),
                           name="learner")
    conn = learner.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        for i in range(5):
            cur.execute(f"INSERT INTO {t} (id, v) VALUES (%s, %s)", (i, f"v{i}"))
            cur.execute(f"SELECT v FROM {t} WHERE id = %s", (i,))
        cur.execute(f"SELECT v FROM {t} WHERE id IN (1, 2, 3)")
    conn.close()
    entries = wait_entries(path, 3)
    assert len(entries) == 3, open(path).read() if os.path.exists(path) else "no file"
    assert len(set(entries)) == 3
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    with open(path) as f:
        text = f.read()
    assert f"SELECT v FROM {t} WHERE id = ?" in text  # normalized, no literal values
    assert "v3" not in text

    enforcer = start_dbward(with_policies(pg_config(pg_server), policy("enforce", path)),
                            name="enforcer")
    conn = enforcer.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"SELECT v FROM {t} WHERE id = %s", (4,))
        assert cur.fetchall() == [("v4",)]
        cur.execute(f"SELECT v FROM {t} WHERE id IN (4, 3, 2, 1)")
        assert len(cur.fetchall()) == 4
        cur.execute(f"INSERT INTO {t} (id, v) VALUES (%s, %s)", (99, "x"))
        with pytest.raises(psycopg2.Error) as exc:
            cur.execute(f"DELETE FROM {t} WHERE id = 99")
        assert exc.value.pgcode == "42501"
        assert "rule allowlist" in exc.value.diag.message_primary
        cur.execute(f"SELECT v FROM {t} WHERE id = %s", (99,))
        assert cur.fetchall() == [("x",)]
    conn.close()
    pg_server.psql(f"DROP TABLE {t}", dbname="app")


def test_mysql_learn_then_enforce(maria_server, start_dbward, tmp_path):
    t = f"learn_{uuid.uuid4().hex[:8]}"
    maria_server.sql(f"CREATE TABLE {t} (id INT PRIMARY KEY, v VARCHAR(20))", database="app")
    path = str(tmp_path / "learned.yaml")
    learner = start_dbward(with_policies(my_config(maria_server), policy("learn", path)),
                           name="learner")
    conn = pymysql.connect(host=learner.host, port=learner.port, user="app",
                           password=APP_PASSWORD, database="app", autocommit=True)
    with conn.cursor() as cur:
        for i in range(3):
            cur.execute(f"INSERT INTO {t} (id, v) VALUES (%s, %s)", (i, f"v{i}"))
            cur.execute(f"SELECT v FROM {t} WHERE id = %s", (i,))
    conn.close()
    assert len(wait_entries(path, 2)) >= 2

    enforcer = start_dbward(with_policies(my_config(maria_server), policy("enforce", path)),
                            name="enforcer")
    conn = pymysql.connect(host=enforcer.host, port=enforcer.port, user="app",
                           password=APP_PASSWORD, database="app", autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"SELECT v FROM {t} WHERE id = %s", (2,))
        assert cur.fetchall() == (("v2",),)
        with pytest.raises(pymysql.err.MySQLError) as exc:
            cur.execute(f"DELETE FROM {t} WHERE id = 1")
        assert exc.value.args[0] == 1227
    conn.close()
    maria_server.sql(f"DROP TABLE {t}", database="app")
