/* Analyzer throughput on the statements pgbench and sysbench send: each
 * dialect's statements are analysed round-robin for about two seconds on
 * one thread, then normalized the same way, and the rate is printed in
 * statements per second. Build with buildtype=release for the numbers that
 * matter; run: build/bench/sql_throughput [seconds-per-run]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/sql_analyze.h"

static const char *const pg_statements[] = {
	"SELECT abalance FROM pgbench_accounts WHERE aid = 48213;",
	"UPDATE pgbench_accounts SET abalance = abalance + -3 WHERE aid = 7;",
	"UPDATE pgbench_tellers SET tbalance = tbalance + 4312 WHERE tid = 5;",
	"UPDATE pgbench_branches SET bbalance = bbalance + -1234 WHERE bid = 1;",
	"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (5, 1, 48213, -3, CURRENT_TIMESTAMP);",
	"BEGIN;",
	"END;",
	"SELECT abalance FROM pgbench_accounts WHERE aid = $1",
};

static const char *const my_statements[] = {
	"SELECT c FROM sbtest1 WHERE id=5012",
	"SELECT c FROM sbtest1 WHERE id BETWEEN 5012 AND 5111",
	"SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 5012 AND 5111",
	"SELECT c FROM sbtest1 WHERE id BETWEEN 5012 AND 5111 ORDER BY c",
	"SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 5012 AND 5111 ORDER BY c",
	"UPDATE sbtest1 SET k=k+1 WHERE id=5012",
	"UPDATE sbtest1 SET c='83868641912-28773972837-60736120486' WHERE id=5012",
	"DELETE FROM sbtest1 WHERE id=5012",
	"INSERT INTO sbtest1 (id, k, c, pad) VALUES (5012, 4993, '83868641912-28773972837', '67847967377-48000963322')",
	"BEGIN",
	"COMMIT",
	"SELECT c FROM sbtest1 WHERE id=?",
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs analyze (or normalize) over STMTS for SECONDS; returns statements
 * per second. */
static double run(const char *const *stmts, size_t n, enum dw_sql_dialect d, bool normalize, double seconds)
{
	struct dw_sql_options o = dw_sql_default_options(d);
	struct dw_sql_analysis a;
	size_t lens[32];
	char out[512];
	dw_sql_analysis_init(&a);
	for (size_t k = 0; k < n; k++)
		lens[k] = strlen(stmts[k]);
	uint64_t done = 0, sink = 0;
	double start = now(), end = start + seconds, t = start;
	while (t < end) {
		for (int round = 0; round < 1024; round++) {
			size_t k = done % n;
			if (normalize) {
				sink += dw_sql_normalize(stmts[k], lens[k], &o, out, sizeof(out));
			} else {
				if (dw_sql_analyze(&a, stmts[k], lens[k], &o) != DW_SQL_OK) {
					fprintf(stderr, "unexpected: %s\n", stmts[k]);
					exit(1);
				}
				sink += a.fingerprint;
			}
			done++;
		}
		t = now();
	}
	dw_sql_analysis_free(&a);
	if (sink == 42)
		printf(" ");   /* keeps the work from being optimized away */
	return (double)done / (t - start);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	if (seconds <= 0)
		seconds = 2.0;
	size_t npg = sizeof(pg_statements) / sizeof(pg_statements[0]);
	size_t nmy = sizeof(my_statements) / sizeof(my_statements[0]);
	printf("statements per second, one thread (%.1f s per run)\n", seconds);
	printf("postgres analyze:   %12.0f\n", run(pg_statements, npg, DW_SQL_POSTGRES, false, seconds));
	printf("postgres normalize: %12.0f\n", run(pg_statements, npg, DW_SQL_POSTGRES, true, seconds));
	printf("mysql analyze:      %12.0f\n", run(my_statements, nmy, DW_SQL_MYSQL, false, seconds));
	printf("mysql normalize:    %12.0f\n", run(my_statements, nmy, DW_SQL_MYSQL, true, seconds));
	return 0;
}
