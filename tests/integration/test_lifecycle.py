"""Operating dbward: SIGHUP reloads the configuration without dropping
sessions (a new policy applies to a session opened before it; a broken file
leaves the running configuration serving), and SIGTERM lets a statement in
flight finish before dbward exits 0."""
import json
import os
import re
import signal
import threading
import time

import psycopg2
import pymysql
import pytest

from dbward_helpers import my_config, pg_config, to_yaml, wait_for
from servers import APP_PASSWORD

DENY_DDL = [{"name": "no-ddl", "match": {}, "statements": {"deny": ["ddl"]}}]


def both(pg_server, maria_server, tmp_path, policies=None):
    cfg = pg_config(pg_server)
    my = my_config(maria_server)
    cfg["listeners"] += my["listeners"]
    cfg["backends"] += my["backends"]
    d = tmp_path / "audit"
    d.mkdir(mode=0o750, exist_ok=True)
    cfg["audit"] = {"path": str(d / "audit.jsonl"), "fsync_interval": "100ms"}
    if policies:
        cfg["policies"] = policies
    return cfg


def rewrite(proxy, cfg_or_text):
    text = cfg_or_text if isinstance(cfg_or_text, str) else to_yaml(cfg_or_text)
    with open(proxy.config_path, "w") as f:
        f.write(text + "\n")


def reload_and_wait(proxy, marker):
    before = proxy.log_text().count(marker)
    proxy.signal(signal.SIGHUP)
    assert wait_for(lambda: proxy.log_text().count(marker) > before), proxy.log_tail()


def audit_records(cfg):
    with open(cfg["audit"]["path"]) as f:
        return [json.loads(line) for line in f]


def test_sighup_applies_a_new_policy_to_open_sessions(pg_server, maria_server, start_dbward,
                                                      tmp_path):
    cfg = both(pg_server, maria_server, tmp_path)
    proxy = start_dbward(cfg)
    pg_port, my_port = proxy.ports
    pg = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                          dbname="app")
    pg.autocommit = True
    my = pymysql.connect(host=proxy.host, port=my_port, user="app", password=APP_PASSWORD,
                         database="app", autocommit=True)
    pg.cursor().execute("CREATE TEMP TABLE before_reload (a int)")
    my.cursor().execute("CREATE TEMPORARY TABLE before_reload (a int)")

    cfg["policies"] = DENY_DDL
    rewrite(proxy, cfg)
    reload_and_wait(proxy, "configuration reloaded")

    # The same sessions, opened before the reload, are now under the policy.
    with pytest.raises(psycopg2.Error) as err:
        pg.cursor().execute("CREATE TEMP TABLE after_reload (a int)")
    assert err.value.pgcode == "42501"
    with pytest.raises(pymysql.err.MySQLError) as err2:
        my.cursor().execute("CREATE TEMPORARY TABLE after_reload (a int)")
    assert err2.value.args[0] == 1227
    # ... and still work otherwise.
    cur = pg.cursor()
    cur.execute("SELECT count(*) FROM before_reload")
    assert cur.fetchone() == (0,)
    c = my.cursor()
    c.execute("SELECT 1")
    assert c.fetchone() == (1,)
    assert wait_for(lambda: any(r["action"] == "reload" and r["outcome"] == "success"
                                for r in audit_records(cfg)))


def reloads_counted(admin_port, result):
    from test_admin import fetch
    text = fetch(admin_port, "/metrics").body
    m = re.search(r'^dbward_config_reloads_total\{result="%s"\} (\d+)' % result, text, re.M)
    return int(m.group(1)) if m else 0


def test_sighup_with_a_broken_file_keeps_the_running_configuration(pg_server, maria_server,
                                                                   start_dbward, tmp_path):
    from servers import free_port
    cfg = both(pg_server, maria_server, tmp_path, policies=DENY_DDL)
    admin_port = free_port()
    cfg["admin"] = {"listen": f"127.0.0.1:{admin_port}"}
    proxy = start_dbward(cfg)
    pg_port = proxy.ports[0]
    pg = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                          dbname="app")
    pg.autocommit = True
    good = open(proxy.config_path).read()
    rewrite(proxy, good.replace("listeners:", "listeners: [oops") + "\nbogus_key: 1\n")
    reload_and_wait(proxy, "refused")
    assert "the running configuration stays" in proxy.log_text()
    # A change a running process cannot take is refused the same way.
    moved = dict(cfg)
    moved["workers"] = 3
    rewrite(proxy, moved)
    reload_and_wait(proxy, "workers: a change needs a restart")
    # The old policy still holds, for the open session and for a new one.
    with pytest.raises(psycopg2.Error) as err:
        pg.cursor().execute("CREATE TEMP TABLE t (a int)")
    assert err.value.pgcode == "42501"
    fresh = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                             dbname="app")
    cur = fresh.cursor()
    cur.execute("SELECT 2")
    assert cur.fetchone() == (2,)
    assert wait_for(lambda: sum(1 for r in audit_records(cfg)
                                if r["action"] == "reload" and r["outcome"] == "failure") == 2)
    assert reloads_counted(admin_port, "failure") == 2
    assert reloads_counted(admin_port, "success") == 0


def test_sigterm_lets_the_running_statement_finish(pg_server, maria_server, start_dbward,
                                                   tmp_path):
    cfg = both(pg_server, maria_server, tmp_path)
    proxy = start_dbward(cfg)
    pg_port, my_port = proxy.ports
    pg = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                          dbname="app")
    my = pymysql.connect(host=proxy.host, port=my_port, user="app", password=APP_PASSWORD,
                         database="app", autocommit=True)
    idle = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                            dbname="app")
    results = {}

    def run_pg():
        cur = pg.cursor()
        cur.execute("SELECT pg_sleep(1.5), 'pg done'")
        results["pg"] = cur.fetchone()[1]

    def run_my():
        c = my.cursor()
        c.execute("SELECT SLEEP(1.5), 'my done'")
        results["my"] = c.fetchone()[1]
    threads = [threading.Thread(target=run_pg), threading.Thread(target=run_my)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    started = time.time()
    proxy.signal(signal.SIGTERM)
    for t in threads:
        t.join(10)
    assert results == {"pg": "pg done", "my": "my done"}
    assert proxy.proc.wait(15) == 0
    proxy.terminated_rc = 0
    assert time.time() - started < 10
    # The idle session was closed at once, with PostgreSQL's shutdown code.
    with pytest.raises(psycopg2.Error):
        idle.cursor().execute("SELECT 1")
    # New clients were refused while it drained; every statement is recorded.
    recs = audit_records(cfg)
    assert any(r["action"] == "stop" for r in recs)
    done = [r for r in recs if r.get("action") == "statement" and r["outcome"] == "success"
            and r.get("operation") == "SELECT"]
    assert len(done) >= 2


def test_sighup_adds_a_listener(pg_server, maria_server, start_dbward, tmp_path):
    from servers import free_port
    cfg = both(pg_server, maria_server, tmp_path)
    proxy = start_dbward(cfg)
    pg_port, _ = proxy.ports
    before = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                              dbname="app")
    port = free_port()
    extra = dict(cfg["listeners"][0])
    extra.update({"name": "pg-reporting", "listen": f"127.0.0.1:{port}"})
    cfg["listeners"] = cfg["listeners"] + [extra]
    rewrite(proxy, cfg)
    reload_and_wait(proxy, "configuration reloaded")
    assert wait_for(lambda: f"listening on 127.0.0.1:{port}" in proxy.log_text())
    conn = psycopg2.connect(host=proxy.host, port=port, user="app", password=APP_PASSWORD,
                            dbname="app", connect_timeout=5)
    cur = conn.cursor()
    cur.execute("SELECT 3")
    assert cur.fetchone() == (3,)
    cur = before.cursor()  # the session from before goes on
    cur.execute("SELECT 4")
    assert cur.fetchone() == (4,)
    # Taking a listener away needs a restart: refused, both keep serving.
    cfg["listeners"] = cfg["listeners"][:1]
    rewrite(proxy, cfg)
    reload_and_wait(proxy, "removing a listener needs a restart")
    psycopg2.connect(host=proxy.host, port=port, user="app", password=APP_PASSWORD,
                     dbname="app", connect_timeout=5).close()


def test_sighup_applies_new_limits_to_open_sessions(pg_server, maria_server, start_dbward,
                                                    tmp_path):
    cfg = both(pg_server, maria_server, tmp_path)
    proxy = start_dbward(cfg)
    pg_port, _ = proxy.ports
    pg = psycopg2.connect(host=proxy.host, port=pg_port, user="app", password=APP_PASSWORD,
                          dbname="app")
    pg.autocommit = True
    cur = pg.cursor()
    for _ in range(5):
        cur.execute("SELECT 1")
    cfg["rate_limits"] = [{"match": {"user": "app"}, "key": "user", "queries_per_second": 1,
                           "burst": 2}]
    cfg["timeouts"] = dict(cfg.get("timeouts") or {}, query="300ms")
    rewrite(proxy, cfg)
    reload_and_wait(proxy, "configuration reloaded")
    codes = []
    for _ in range(6):
        try:
            cur.execute("SELECT 1")
            codes.append("ok")
        except psycopg2.Error as e:
            codes.append(e.pgcode)
    assert codes.count("ok") >= 1 and "53400" in codes, codes
    time.sleep(1.2)
    # The new statement time limit holds for the old session as well.
    with pytest.raises(psycopg2.Error) as err:
        cur.execute("SELECT pg_sleep(2)")
    assert err.value.pgcode == "57014"


def test_drops_root_to_the_configured_user(pg_server, start_dbward, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs to start as root")
    cfg = pg_config(pg_server)
    cfg["user"] = "nobody"
    cfg["group"] = "nogroup"
    proxy = start_dbward(cfg)
    assert wait_for(lambda: "running as user nobody" in proxy.log_text())
    with open(f"/proc/{proxy.proc.pid}/status") as f:
        ids = {line.split(":")[0]: line.split()[1:] for line in f if line[:4] in ("Uid:", "Gid:")}
    import grp
    import pwd
    assert set(ids["Uid"]) == {str(pwd.getpwnam("nobody").pw_uid)}
    assert set(ids["Gid"]) == {str(grp.getgrnam("nogroup").gr_gid)}
    conn = psycopg2.connect(host=proxy.host, port=proxy.port, user="app", password=APP_PASSWORD,
                            dbname="app")
    cur = conn.cursor()
    cur.execute("SELECT 5")
    assert cur.fetchone() == (5,)


def test_tells_systemd_when_it_serves_reloads_and_stops(pg_server, start_dbward, tmp_path,
                                                         monkeypatch):
    import socket
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    proxy = start_dbward(pg_config(pg_server))

    def next_message():
        return sock.recv(4096).decode()
    assert "READY=1" in next_message()
    proxy.signal(signal.SIGHUP)
    assert next_message() == "RELOADING=1"
    assert "READY=1" in next_message()
    proxy.signal(signal.SIGTERM)
    assert "STOPPING=1" in next_message()
    assert proxy.proc.wait(15) == 0
    proxy.terminated_rc = 0
