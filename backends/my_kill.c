/* See my_kill.h. */
#include "backends/my_kill.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "proxy/log.h"

/* Bounded so that a burst of timeouts cannot spawn unbounded threads. */
#define KILL_MAX_INFLIGHT 64
#define KILL_CONNECT_TIMEOUT_S 5u

static atomic_int inflight;

struct kill_job {
	char *host, *unix_path, *user, *password, *ca_file, *backend;
	unsigned port;
	enum dw_tls_mode tls;
	uint32_t conn_id;
	bool whole;
};

static void job_free(struct kill_job *j)
{
	if (j->password)
		explicit_bzero(j->password, strlen(j->password));
	free(j->host);
	free(j->unix_path);
	free(j->user);
	free(j->password);
	free(j->ca_file);
	free(j->backend);
	free(j);
}

static void *kill_thread(void *arg)
{
	struct kill_job *j = arg;
	MYSQL *m = mysql_init(NULL);
	if (m) {
		unsigned timeout = KILL_CONNECT_TIMEOUT_S;
		mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
		mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
		mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
		if (j->tls == DW_TLS_REQUIRE || j->tls == DW_TLS_VERIFY_FULL) {
			my_bool on = 1;
			mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
			if (j->tls == DW_TLS_VERIFY_FULL)
				mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
			if (j->ca_file)
				mysql_optionsv(m, MYSQL_OPT_SSL_CA, j->ca_file);
		}
		char sql[48];
		snprintf(sql, sizeof sql, "KILL %s%u", j->whole ? "" : "QUERY ", j->conn_id);
		if (!mysql_real_connect(m, j->host, j->user, j->password, NULL, j->port, j->unix_path, 0))
			dw_warn("backend %s: could not connect to stop a statement: %s", j->backend,
				mysql_error(m));
		else if (mysql_real_query(m, sql, strlen(sql)) != 0 &&
			 mysql_errno(m) != 1094 /* ER_NO_SUCH_THREAD: it ended already */)
			dw_warn("backend %s: %s failed: %s", j->backend, sql, mysql_error(m));
		mysql_close(m);
	}
	job_free(j);
	atomic_fetch_sub(&inflight, 1);
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void my_kill(const struct dw_backend_config *backend, const struct dw_user_config *user,
	uint32_t conn_id, bool whole_connection)
{
	if (atomic_fetch_add(&inflight, 1) >= KILL_MAX_INFLIGHT) {
		atomic_fetch_sub(&inflight, 1);
		dw_warn("backend %s: too many statements being stopped; KILL %u dropped",
			backend->name, conn_id);
		return;
	}
	struct kill_job *j = calloc(1, sizeof *j);
	if (!j) {
		atomic_fetch_sub(&inflight, 1);
		return;
	}
	j->host = dup_or_null(backend->address.host);
	j->unix_path = dup_or_null(backend->address.unix_path);
	j->port = backend->address.port;
	j->user = dup_or_null(user->backend_user ? user->backend_user : user->name);
	j->password = dup_or_null(user->backend_password ? user->backend_password : user->password);
	j->ca_file = dup_or_null(backend->tls.ca_file);
	j->backend = dup_or_null(backend->name);
	j->tls = backend->tls.mode;
	j->conn_id = conn_id;
	j->whole = whole_connection;
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, kill_thread, j) != 0) {
		job_free(j);
		atomic_fetch_sub(&inflight, 1);
	}
	pthread_attr_destroy(&attr);
}
