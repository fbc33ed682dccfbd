/* Run-time parameters (GUCs) of a PostgreSQL session: what a client asked for
 * in its startup packet and what a server connection currently has. In
 * transaction pooling the two are reconciled with SET/RESET each time a server
 * connection is attached to a client. Names compare case-insensitively, as the
 * server compares them. */
#ifndef DBWARD_PROXY_PG_PARAMS_H
#define DBWARD_PROXY_PG_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

/* A client may name at most this many settings (startup + options). */
#define PG_PARAMS_MAX 512

struct pg_param {
	char *name;
	char *value;
};

struct pg_params {
	struct pg_param *items;   /* grows on demand, freed by pg_params_clear */
	size_t n;
	size_t cap;
	uint64_t version;     /* bumped by every change */
	uint64_t sig;         /* cached pg_params_signature */
	uint64_t sig_version; /* version the cached sig belongs to, +1 */
};

void pg_params_clear(struct pg_params *p);
const char *pg_params_get(const struct pg_params *p, const char *name);
/* Sets NAME to VALUE (copies). Returns false when the list is full. */
bool pg_params_set(struct pg_params *p, const char *name, const char *value)
	__attribute__((warn_unused_result));
void pg_params_copy(struct pg_params *dst, const struct pg_params *src);
/* An order-independent digest of the (name, value) pairs: two lists with the
 * same digest hold the same settings, so a server synced for one is in step
 * for the other without comparing every pair. */
uint64_t pg_params_signature(struct pg_params *p);

/* Splits a libpq-style `options` value ("-c a=b --c=d", backslash escapes
 * spaces) into parameters. Returns false on a malformed or unsupported option. */
bool pg_params_from_options(struct pg_params *p, const char *options)
	__attribute__((warn_unused_result));

/* Writes the SQL that moves a server with CURRENT params (and PRISTINE
 * connect-time params) to what the client WANTS: SET for differing values,
 * RESET for values a previous client changed that this one did not ask for.
 * Returns the number of changes (0 = already in step). SQL may be NULL to
 * only count them. */
size_t pg_params_sync_sql(const struct pg_params *wants, const struct pg_params *current,
	const struct pg_params *pristine, struct evbuffer *sql);

/* What CURRENT holds once the SQL from pg_params_sync_sql ran: PRISTINE
 * overlaid with WANTS. ParameterStatus messages then refine the values. */
void pg_params_after_sync(const struct pg_params *wants, struct pg_params *current,
	const struct pg_params *pristine);

/* True for parameters a client may not set through dbward (they are dbward's
 * business or change the protocol itself). */
bool pg_param_is_reserved(const char *name);

/* True for parameters the server reports but no one can SET. */
bool pg_param_is_read_only(const char *name);

#endif
