/* See auth_lockout.h. */
#include "proxy/auth_lockout.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <time.h>

#include <openssl/evp.h>

#include "audit/audit.h"
#include "proxy/log.h"
#include "proxy/stmt_audit.h"

#define DIGEST_LEN 32

struct pair {
	uint8_t digest[DIGEST_LEN];
	uint64_t window_start;      /* ms: the current counting window began */
	uint32_t count;             /* failures in it */
	uint32_t prev_count;        /* failures in the window before */
	uint64_t locked_until;      /* ms; 0 = not locked */
	uint64_t window_ms;         /* the window it is counted with */
	struct pair *next;          /* hash chain */
	TAILQ_ENTRY(pair) lru;      /* least recently failed first */
};

TAILQ_HEAD(pair_list, pair);

struct dw_lockout {
	pthread_mutex_t lock;
	struct pair **chains;
	size_t mask;
	size_t count, cap;
	struct pair_list lru;
	uint8_t salt[16];
};

struct dw_lockout *dw_lockout_new(size_t cap)
{
	struct dw_lockout *lo = calloc(1, sizeof *lo);
	if (!lo)
		return NULL;
	size_t n = 16;
	while (n < cap && n < ((size_t)1 << 24))
		n <<= 1;
	lo->chains = calloc(n, sizeof *lo->chains);
	if (!lo->chains || pthread_mutex_init(&lo->lock, NULL) != 0) {
		free(lo->chains);
		free(lo);
		return NULL;
	}
	lo->mask = n - 1;
	lo->cap = cap ? cap : 1;
	TAILQ_INIT(&lo->lru);
	if (getrandom(lo->salt, sizeof lo->salt, 0) != (ssize_t)sizeof lo->salt) {
		uint64_t x = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)lo;
		memcpy(lo->salt, &x, sizeof x);
	}
	return lo;
}

void dw_lockout_free(struct dw_lockout *lo)
{
	if (!lo)
		return;
	struct pair *p, *next;
	for (p = TAILQ_FIRST(&lo->lru); p; p = next) {
		next = TAILQ_NEXT(p, lru);
		free(p);
	}
	pthread_mutex_destroy(&lo->lock);
	free(lo->chains);
	free(lo);
}

bool dw_lockout_enabled(const struct dw_auth_failures_config *cfg)
{
	return cfg->max > 0 && cfg->window_ms > 0 && cfg->lockout_ms > 0;
}

/* The pair's identity; its parts are separated by a NUL no address holds. */
static bool pair_digest(const struct dw_lockout *lo, const char *ip, const char *user,
	uint8_t out[DIGEST_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned n = 0;
	bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
		EVP_DigestUpdate(c, lo->salt, sizeof lo->salt) == 1 &&
		EVP_DigestUpdate(c, ip, strlen(ip) + 1) == 1 &&
		EVP_DigestUpdate(c, user, strlen(user)) == 1 &&
		EVP_DigestFinal_ex(c, out, &n) == 1 && n == DIGEST_LEN;
	EVP_MD_CTX_free(c);
	return ok;
}

static size_t chain_of(const struct dw_lockout *lo, const uint8_t *digest)
{
	uint64_t h;
	memcpy(&h, digest, sizeof h);
	return (size_t)h & lo->mask;
}

static struct pair *find(struct dw_lockout *lo, const uint8_t *digest)
{
	for (struct pair *p = lo->chains[chain_of(lo, digest)]; p; p = p->next)
		if (memcmp(p->digest, digest, DIGEST_LEN) == 0)
			return p;
	return NULL;
}

static void forget(struct dw_lockout *lo, struct pair *p)
{
	struct pair **pp = &lo->chains[chain_of(lo, p->digest)];
	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	TAILQ_REMOVE(&lo->lru, p, lru);
	lo->count--;
	free(p);
}

/* Nothing left to remember: not locked, and no failure within two windows. */
static bool stale(const struct pair *p, uint64_t now)
{
	return p->locked_until <= now && now - p->window_start >= 2 * p->window_ms;
}

/* Starts a new window when the current one is over. */
static void roll(struct pair *p, uint64_t now)
{
	if (now - p->window_start < p->window_ms)
		return;
	uint64_t windows = (now - p->window_start) / p->window_ms;
	p->prev_count = windows == 1 ? p->count : 0;
	p->count = 0;
	p->window_start += windows * p->window_ms;
}

/* Failures within the last window: all of the current window's, and the
 * previous window's in the proportion that still overlaps. */
static uint64_t recent_failures(const struct pair *p, uint64_t now)
{
	uint64_t into = now - p->window_start;
	uint64_t overlap = into < p->window_ms ? p->window_ms - into : 0;
	return p->count + ((uint64_t)p->prev_count * overlap + p->window_ms - 1) / p->window_ms;
}

bool dw_lockout_locked(struct dw_lockout *lo, const char *ip, const char *user, uint64_t now,
	uint64_t *left)
{
	uint8_t d[DIGEST_LEN];
	if (!pair_digest(lo, ip, user, d))
		return false;
	pthread_mutex_lock(&lo->lock);
	struct pair *p = find(lo, d);
	bool locked = p && p->locked_until > now;
	if (locked && left)
		*left = p->locked_until - now;
	pthread_mutex_unlock(&lo->lock);
	return locked;
}

bool dw_lockout_failure(struct dw_lockout *lo, const struct dw_auth_failures_config *cfg,
	const char *ip, const char *user, uint64_t now)
{
	uint8_t d[DIGEST_LEN];
	if (!dw_lockout_enabled(cfg) || !pair_digest(lo, ip, user, d))
		return false;
	pthread_mutex_lock(&lo->lock);
	/* The oldest pair goes when it has nothing left to say, or to make room. */
	struct pair *old = TAILQ_FIRST(&lo->lru);
	if (old && stale(old, now))
		forget(lo, old);
	struct pair *p = find(lo, d);
	if (!p) {
		if (lo->count >= lo->cap)
			forget(lo, TAILQ_FIRST(&lo->lru));
		p = calloc(1, sizeof *p);
		if (!p) {
			pthread_mutex_unlock(&lo->lock);
			return false;
		}
		memcpy(p->digest, d, DIGEST_LEN);
		p->window_start = now;
		p->window_ms = cfg->window_ms;
		size_t c = chain_of(lo, d);
		p->next = lo->chains[c];
		lo->chains[c] = p;
		lo->count++;
	} else {
		TAILQ_REMOVE(&lo->lru, p, lru);
	}
	TAILQ_INSERT_TAIL(&lo->lru, p, lru);
	if (p->window_ms != cfg->window_ms) {
		/* The configuration changed: count afresh. */
		p->window_ms = cfg->window_ms;
		p->window_start = now;
		p->count = p->prev_count = 0;
	}
	bool started = false;
	if (p->locked_until <= now) {
		roll(p, now);
		p->count++;
		if (recent_failures(p, now) >= cfg->max) {
			p->locked_until = now + cfg->lockout_ms;
			p->count = p->prev_count = 0;
			p->window_start = now;
			started = true;
		}
	}
	pthread_mutex_unlock(&lo->lock);
	return started;
}

void dw_lockout_success(struct dw_lockout *lo, const char *ip, const char *user)
{
	uint8_t d[DIGEST_LEN];
	if (!pair_digest(lo, ip, user, d))
		return;
	pthread_mutex_lock(&lo->lock);
	struct pair *p = find(lo, d);
	if (p)
		forget(lo, p);
	pthread_mutex_unlock(&lo->lock);
}

size_t dw_lockout_count(struct dw_lockout *lo)
{
	pthread_mutex_lock(&lo->lock);
	size_t n = lo->count;
	pthread_mutex_unlock(&lo->lock);
	return n;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* "5m", "90s", "250ms": the largest unit that divides MS. */
static const char *duration_text(uint64_t ms, char *buf, size_t cap)
{
	if (ms % 3600000 == 0)
		snprintf(buf, cap, "%" PRIu64 "h", ms / 3600000);
	else if (ms % 60000 == 0)
		snprintf(buf, cap, "%" PRIu64 "m", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, cap, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, cap, "%" PRIu64 "ms", ms);
	return buf;
}

bool dw_lockout_judge(struct dw_lockout *lo, const struct dw_auth_failures_config *cfg,
	const struct dw_session_info *who, bool password_ok)
{
	const char *ip = who->ip ? who->ip : "", *user = who->user ? who->user : "";
	bool on = lo && dw_lockout_enabled(cfg);
	uint64_t now = now_ms(), left = 0;
	char reason[192], window[32], lockout[32], rest[32];
	if (on && dw_lockout_locked(lo, ip, user, now, &left)) {
		/* The operator may learn that the password was right (a
		 * credential that leaked); the client never does. */
		snprintf(reason, sizeof reason, "locked out for another %s after %" PRIu32 " failed "
			"logins within %s; the password given was %s",
			duration_text(left < 1000 ? left : (left + 999) / 1000 * 1000, rest, sizeof rest), cfg->max,
			duration_text(cfg->window_ms, window, sizeof window), password_ok ? "right" : "wrong");
		dw_info("session %" PRIu64 ": login of user \"%.64s\" from %s refused: %s", who->id,
			user, ip, reason);
		if (dw_audit_on())
			dw_audit_decision(who, "auth", "locked_out", "failure", "warning", "auth_failures",
				reason, NULL);
		return false;
	}
	if (password_ok) {
		if (on)
			dw_lockout_success(lo, ip, user);
		return true;
	}
	bool started = on && dw_lockout_failure(lo, cfg, ip, user, now);
	if (started) {
		snprintf(reason, sizeof reason, "wrong password or unknown user; %" PRIu32 " failed "
			"logins within %s: locked out for %s", cfg->max,
			duration_text(cfg->window_ms, window, sizeof window),
			duration_text(cfg->lockout_ms, lockout, sizeof lockout));
		dw_warn("session %" PRIu64 ": user \"%.64s\" from %s: %s", who->id, user, ip, reason);
	}
	if (dw_audit_on())
		dw_audit_decision(who, "auth", "login_failed", "failure", started ? "critical" : "warning",
			started ? "auth_failures" : NULL,
			started ? reason : "wrong password or unknown user", NULL);
	return false;
}
