"""The SQL that proxy/pg_params.c writes to bring a pooled server connection
in step with a client, run on a real PostgreSQL 15.

A small driver compiled from proxy/pg_params.c turns a client's `options`
(and the server connection's current and connect-time parameters) into that
SQL. Each check compares with what the server itself does: the SHOW results
after the SQL must equal those of a direct connection that passed the same
options in its startup packet.
"""
import os
import subprocess

import pytest

from pg_wire import ServerError, WireConn
from servers import APP_PASSWORD, APP_USER

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

DRIVER = r"""
#include "proxy/pg_params.h"
#include <stdio.h>
#include <string.h>
#include <event2/buffer.h>

/* argv: ("o" OPTIONS | "w"|"c"|"p" NAME VALUE)... Prints the statement count,
 * a newline, then the SQL. Exit 2 when the options are refused. */
int main(int argc, char **argv)
{
	static struct pg_params w, c, p;
	for (int i = 1; i < argc;) {
		if (strcmp(argv[i], "o") == 0 && i + 1 < argc) {
			if (!pg_params_from_options(&w, argv[i + 1]))
				return 2;
			i += 2;
			continue;
		}
		if (i + 2 >= argc)
			return 3;
		struct pg_params *t = argv[i][0] == 'w' ? &w : argv[i][0] == 'c' ? &c : &p;
		if (!pg_params_set(t, argv[i + 1], argv[i + 2]))
			return 3;
		i += 3;
	}
	struct evbuffer *sql = evbuffer_new();
	size_t n = pg_params_sync_sql(&w, &c, &p, sql);
	printf("%zu\n", n);
	size_t len = evbuffer_get_length(sql);
	fwrite(evbuffer_pullup(sql, -1), 1, len, stdout);
	evbuffer_free(sql);
	pg_params_clear(&w);
	pg_params_clear(&c);
	pg_params_clear(&p);
	return 0;
}
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    d = tmp_path_factory.mktemp("pg_params_driver")
    src = d / "driver.c"
    src.write_text(DRIVER)
    exe = d / "driver"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libevent_core"],
                           capture_output=True, text=True, check=True).stdout.split()
    cc = os.environ.get("CC", "cc")
    res = subprocess.run([cc, "-std=c17", "-D_GNU_SOURCE", "-I", REPO, str(src),
                          os.path.join(REPO, "proxy", "pg_params.c"), "-o", str(exe)] + flags,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr

    def run(*args):
        out = subprocess.run([str(exe)] + list(args), capture_output=True, text=True,
                             timeout=10)
        assert out.returncode == 0, f"driver {args} exited {out.returncode}"
        count, _, sql = out.stdout.partition("\n")
        return int(count), sql

    return run


def connect(pg_server, options=None):
    """A raw wire session (no client library that changes settings after
    login), optionally with OPTIONS in its startup packet."""
    conn = WireConn(pg_server.host, pg_server.port)
    conn.login(APP_USER, APP_PASSWORD, "app", {"options": options} if options else None)
    return conn


def show(conn, names):
    return {name: conn.query(f"SHOW {name}")[0][0] for name in names}


def show_direct(pg_server, options, names):
    """SHOW results of a session that sent OPTIONS in its startup packet."""
    conn = connect(pg_server, options)
    try:
        return show(conn, names)
    finally:
        conn.close()


def reported(conn):
    """What the server reported at login (ParameterStatus), as dbward records it."""
    return dict(conn.params)


def args_for(kind, params):
    out = []
    for k, v in params.items():
        out += [kind, k, v]
    return out


def run_sql(conn, sql):
    """Sends SQL as one simple Query, as dbward does."""
    conn.query(sql)


OPTION_CASES = [
    ("-c search_path=a,b", ["search_path"]),
    ("-c search_path=\"My\\ Schema\",public", ["search_path"]),
    ("-c DateStyle=SQL,DMY -c TimeZone=Asia/Tokyo", ["DateStyle", "TimeZone"]),
    ("--statement-timeout=5s -cwork_mem=4MB -c geqo=off",
     ["statement_timeout", "work_mem", "geqo"]),
    ("--client-min-messages=warning -c IntervalStyle=iso_8601",
     ["client_min_messages", "IntervalStyle"]),
    ("-c application_name=it's\\ \"x\";\\ DROP\\ TABLE\\ t;\\ --", ["application_name"]),
    ("-c application_name=a$dw$b$dw0$c", ["application_name"]),
    ("-c application_name=back\\\\slash -c standard_conforming_strings=off",
     ["application_name", "standard_conforming_strings"]),
    ("-c default_transaction_read_only=on -c lock_timeout=1500", [
        "default_transaction_read_only", "lock_timeout"]),
    ("-c myapp.tenant=t-42", ["myapp.tenant"]),
]


@pytest.mark.parametrize("options,names", OPTION_CASES, ids=[c[0] for c in OPTION_CASES])
def test_sync_sql_matches_startup_options(pg_server, driver, options, names):
    want = show_direct(pg_server, options, names)
    pooled = connect(pg_server)
    try:
        pristine = reported(pooled)
        count, sql = driver("o", options, *args_for("c", pristine), *args_for("p", pristine))
        assert count == len(names), sql
        run_sql(pooled, sql)
        assert show(pooled, names) == want, sql
    finally:
        pooled.close()


def test_values_of_previous_client_are_reset(pg_server, driver):
    """A previous client changed settings this one did not ask for: RESET
    brings back the connect-time values; read-only ones are left alone."""
    fresh = connect(pg_server)
    conn = connect(pg_server)
    try:
        names = ["application_name", "search_path", "DateStyle", "TimeZone"]
        pristine = reported(conn)
        want = show(fresh, names)
        run_sql(conn, "SET application_name = 'prev'; SET search_path = x; "
                "SET DateStyle = 'German'")
        current = dict(pristine, application_name="prev", search_path="x",
                       DateStyle="German, DMY", is_superuser="on", server_version="99")
        count, sql = driver(*args_for("c", current), *args_for("p", pristine))
        assert count == 3, sql
        assert "is_superuser" not in sql and "server_version" not in sql
        run_sql(conn, sql)
        assert show(conn, names) == want, sql
    finally:
        conn.close()
        fresh.close()


def test_read_only_reset_would_fail(pg_server):
    """Why read-only parameters must never be RESET: the server refuses."""
    conn = connect(pg_server)
    try:
        with pytest.raises(ServerError):
            run_sql(conn, 'RESET "is_superuser"')
    finally:
        conn.close()


def test_set_and_reset_together(pg_server, driver):
    conn = connect(pg_server)
    try:
        pristine = reported(conn)
        run_sql(conn, "SET application_name = 'prev'")
        current = dict(pristine, application_name="prev")
        count, sql = driver("o", "-c DateStyle=SQL,DMY", *args_for("c", current),
                            *args_for("p", pristine))
        assert count == 2, sql
        run_sql(conn, sql)
        names = ["DateStyle", "application_name"]
        assert show(conn, names) == show_direct(pg_server, "-c DateStyle=SQL,DMY", names)
    finally:
        conn.close()


@pytest.mark.parametrize("value", ["ends$dw", "x$dw$y$dw0", "$", "$d", "$dw$"])
def test_values_near_the_quote_tag(pg_server, driver, value):
    """Values that end with the start of the dollar-quote tag must still be
    taken as one literal."""
    conn = connect(pg_server)
    try:
        count, sql = driver("w", "application_name", value)
        assert count == 1
        run_sql(conn, sql)
        assert show(conn, ["application_name"]) == {"application_name": value}, sql
    finally:
        conn.close()


@pytest.mark.parametrize("name", ["myapp.tenant", "MyApp.Tenant", "myapp." + "x" * 70],
                         ids=["dotted", "mixed-case", "76-byte"])
def test_custom_setting_of_previous_client_is_reset(pg_server, driver, name):
    """A previous client's custom setting (any name length) must not reach
    the next client. Identifiers are cut at 63 bytes by the server, so a
    longer name must still reset the setting itself."""
    conn = connect(pg_server)
    try:
        pristine = reported(conn)
        run_sql(conn, f"SELECT pg_catalog.set_config('{name}', 'from-previous', false)")
        current = dict(pristine, **{name: "from-previous"})
        count, sql = driver(*args_for("c", current), *args_for("p", pristine))
        assert count == 1, sql
        run_sql(conn, sql)
        left = conn.query(f"SELECT pg_catalog.current_setting('{name}', true)")[0][0]
        assert left in (None, ""), sql
    finally:
        conn.close()
