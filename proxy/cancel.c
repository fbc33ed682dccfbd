#include "proxy/cancel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "backends/pg_server.h"
#include "proxy/log.h"
#include "proxy/pg_auth.h"

struct dw_cancel_target {
	uint32_t pid;
	uint32_t key;
	pthread_mutex_t mu;               /* guards handle; uncontended on the statement path */
	struct dw_cancel_handle *handle;
	struct dw_cancel_target *next;
};

#define CANCEL_BUCKETS 4096u
#define CANCEL_MAX_INFLIGHT 32

static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dw_cancel_target *table[CANCEL_BUCKETS];
static atomic_int inflight;

static struct dw_cancel_target **bucket(uint32_t pid) { return &table[pid % CANCEL_BUCKETS]; }

static struct dw_cancel_target *find_locked(uint32_t pid, uint32_t key)
{
	for (struct dw_cancel_target *t = *bucket(pid); t; t = t->next)
		if (t->pid == pid && t->key == key)
			return t;
	return NULL;
}

struct dw_cancel_target *dw_cancel_register(uint32_t *pid, uint32_t *key)
{
	struct dw_cancel_target *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	pthread_mutex_init(&t->mu, NULL);
	pthread_mutex_lock(&table_mu);
	do {
		uint32_t r[2];
		if (dw_random_bytes(r, sizeof r) != 0) {
			pthread_mutex_unlock(&table_mu);
			free(t);
			return NULL;
		}
		/* A positive pid: clients print it and some parse it as a signed int. */
		t->pid = (r[0] & 0x7fffffffu) | 1u;
		t->key = r[1];
	} while (find_locked(t->pid, t->key));
	t->next = *bucket(t->pid);
	*bucket(t->pid) = t;
	pthread_mutex_unlock(&table_mu);
	*pid = t->pid;
	*key = t->key;
	return t;
}

void dw_cancel_unregister(struct dw_cancel_target *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&table_mu);
	struct dw_cancel_target **p = bucket(t->pid);
	while (*p && *p != t)
		p = &(*p)->next;
	if (*p)
		*p = t->next;
	pthread_mutex_unlock(&table_mu);
	/* No one can find T any more: requests look it up under table_mu. */
	dw_cancel_handle_unref(t->handle);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

void dw_cancel_set_server(struct dw_cancel_target *t, struct dw_cancel_handle *h)
{
	if (!t)
		return;
	if (h)
		atomic_fetch_add(&h->refs, 1);
	pthread_mutex_lock(&t->mu);
	struct dw_cancel_handle *old = t->handle;
	t->handle = h;
	pthread_mutex_unlock(&t->mu);
	dw_cancel_handle_unref(old);
}

static void *cancel_thread(void *arg)
{
	struct dw_cancel_handle *h = arg;
	char err[256];
	if (!PQcancel(h->cancel, err, sizeof err))
		dw_warn("cancel request to the server failed: %s", err);
	dw_cancel_handle_unref(h);
	atomic_fetch_sub(&inflight, 1);
	return NULL;
}

/* Takes over one reference to H. */
static void send_cancel(struct dw_cancel_handle *h)
{
	/* Bounded so a flood of valid keys cannot spawn unbounded threads. */
	if (atomic_fetch_add(&inflight, 1) >= CANCEL_MAX_INFLIGHT) {
		atomic_fetch_sub(&inflight, 1);
		dw_cancel_handle_unref(h);
		dw_warn("cancel request dropped: too many in flight");
		return;
	}
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, cancel_thread, h) != 0) {
		atomic_fetch_sub(&inflight, 1);
		dw_cancel_handle_unref(h);
	}
	pthread_attr_destroy(&attr);
}

void dw_cancel_request(uint32_t pid, uint32_t key)
{
	pthread_mutex_lock(&table_mu);
	struct dw_cancel_target *t = find_locked(pid, key);
	struct dw_cancel_handle *h = NULL;
	if (t) {
		pthread_mutex_lock(&t->mu);
		h = t->handle;
		if (h)
			atomic_fetch_add(&h->refs, 1);
		pthread_mutex_unlock(&t->mu);
	}
	pthread_mutex_unlock(&table_mu);
	if (h)
		send_cancel(h);
}

void dw_cancel_server(struct dw_cancel_handle *h)
{
	if (!h)
		return;
	atomic_fetch_add(&h->refs, 1);
	send_cancel(h);
}
