#include "backends/my_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "backends/pool.h"
#include "proxy/log.h"
#include "proxy/my_auth.h"
#include "proxy/my_codec.h"
#include "proxy/my_stmt.h"
#include "proxy/worker.h"

/* Handshake packets are small; anything bigger is not a server we know. */
#define MY_AUTH_PACKET_MAX (64u * 1024u)

/* ---- what each backend said in its greeting ---- */

#define MY_BACKENDS_MAX 64

static pthread_mutex_t info_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[64];
	struct my_backend_info info;
} infos[MY_BACKENDS_MAX];

static void info_set(const char *backend, const struct my_server_handshake *hs)
{
	pthread_mutex_lock(&info_mu);
	for (size_t i = 0; i < MY_BACKENDS_MAX; i++) {
		if (infos[i].name[0] && strcmp(infos[i].name, backend) != 0)
			continue;
		snprintf(infos[i].name, sizeof infos[i].name, "%s", backend);
		snprintf(infos[i].info.version, sizeof infos[i].info.version, "%s", hs->server_version);
		infos[i].info.caps = hs->caps;
		infos[i].info.charset = hs->charset;
		infos[i].info.status = hs->status;
		infos[i].info.known = true;
		break;
	}
	pthread_mutex_unlock(&info_mu);
}

bool my_backend_info_get(const char *backend, struct my_backend_info *out)
{
	bool found = false;
	pthread_mutex_lock(&info_mu);
	for (size_t i = 0; i < MY_BACKENDS_MAX && infos[i].name[0]; i++) {
		if (strcmp(infos[i].name, backend) == 0) {
			*out = infos[i].info;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&info_mu);
	return found;
}

/* ---- sockets ---- */

/* One whole packet from IN into BUF. 1 = got one, 0 = need more, -1 = too big. */
static int take_packet(struct evbuffer *in, uint8_t *buf, size_t cap, size_t *len, uint8_t *seq)
{
	uint8_t h[MY_HEADER_LEN];
	if (evbuffer_copyout(in, h, sizeof h) < (ssize_t)sizeof h)
		return 0;
	uint32_t plen;
	if (!my_read_header(h, sizeof h, &plen, seq))
		return -1;
	if (plen > cap)
		return -1;
	if (evbuffer_get_length(in) < MY_HEADER_LEN + (size_t)plen)
		return 0;
	evbuffer_drain(in, MY_HEADER_LEN);
	evbuffer_remove(in, buf, plen);
	*len = plen;
	return 1;
}

/* ---- TLS towards the server ---- */

static pthread_mutex_t ctx_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const struct dw_backend_config *backend;
	SSL_CTX *ctx;
} ctxs[MY_BACKENDS_MAX];

static SSL_CTX *client_ctx(const struct dw_backend_config *b)
{
	SSL_CTX *ctx = NULL;
	pthread_mutex_lock(&ctx_mu);
	size_t i;
	for (i = 0; i < MY_BACKENDS_MAX && ctxs[i].backend; i++)
		if (ctxs[i].backend == b)
			break;
	if (i < MY_BACKENDS_MAX && ctxs[i].backend == b) {
		ctx = ctxs[i].ctx;
	} else if (i < MY_BACKENDS_MAX) {
		ctx = SSL_CTX_new(TLS_client_method());
		if (ctx) {
			SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
			if (b->tls.mode == DW_TLS_VERIFY_FULL) {
				SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
				if (b->tls.ca_file)
					SSL_CTX_load_verify_locations(ctx, b->tls.ca_file, NULL);
				else
					SSL_CTX_set_default_verify_paths(ctx);
			}
			ctxs[i].backend = b;
			ctxs[i].ctx = ctx;
		}
	}
	pthread_mutex_unlock(&ctx_mu);
	return ctx;
}

/* ---- the connection ---- */

static void my_server_free(struct dw_server *ds);
static void on_read(struct bufferevent *bev, void *arg);
static void on_event(struct bufferevent *bev, short what, void *arg);

static void vfail(struct my_server *s, enum dw_connect_failure kind, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void vfail(struct my_server *s, enum dw_connect_failure kind, const char *fmt, va_list ap)
{
	char msg[256];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (s->timer)
		evtimer_del(s->timer);
	if (s->base.bev)
		bufferevent_disable(s->base.bev, EV_READ | EV_WRITE);
	dw_pool_server_failed(&s->base, msg, kind);
}

/* The server answered and refused (or spoke nonsense): not retried. */
static void fail(struct my_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct my_server *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(s, DW_CONNECT_ANSWERED, fmt, ap);
	va_end(ap);
}

/* The server could not be reached, or went away before its greeting. */
static void fail_network(struct my_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail_network(struct my_server *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(s, DW_CONNECT_NETWORK, fmt, ap);
	va_end(ap);
}

static const char *password_of(const struct dw_pool *p)
{
	return p->user->backend_password ? p->user->backend_password
					 : (p->user->password ? p->user->password : "");
}

/* The auth answer for PLUGIN; writes into OUT, returns its length or -1. */
static int auth_answer(struct my_server *s, const char *plugin, uint8_t out[64])
{
	const char *pw = password_of(s->base.pool);
	if (plugin && strcmp(plugin, MY_PLUGIN_CACHING_SHA2) == 0) {
		s->sha2 = true;
		return my_sha2_response(pw, s->scramble, out);
	}
	s->sha2 = false;
	return my_native_response(pw, s->scramble, out);
}

static void send_packet(struct my_server *s, const void *payload, size_t len)
{
	s->seq = my_put_packet(bufferevent_get_output(s->base.bev), s->seq, payload, len);
}

static void send_response(struct my_server *s, const char *plugin)
{
	struct dw_pool *p = s->base.pool;
	uint8_t auth[64];
	int alen = auth_answer(s, plugin, auth);
	if (alen < 0) {
		fail(s, "cannot compute the authentication answer");
		return;
	}
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		fail(s, "out of memory");
		return;
	}
	uint8_t fixed[32] = {0};
	my_put_u32(fixed, (uint32_t)s->caps);
	my_put_u32(fixed + 4, 0x40000000u);
	fixed[8] = s->charset;
	if (!(s->caps & MY_CLIENT_LONG_PASSWORD))
		my_put_u32(fixed + 28, (uint32_t)(s->caps >> 32));
	evbuffer_add(b, fixed, sizeof fixed);
	const char *user = p->user->backend_user ? p->user->backend_user : p->user->name;
	evbuffer_add(b, user, strlen(user) + 1);
	uint8_t lenenc[9];
	evbuffer_add(b, lenenc, my_encode_lenenc(lenenc, (uint64_t)alen));
	evbuffer_add(b, auth, (size_t)alen);
	if (s->caps & MY_CLIENT_CONNECT_WITH_DB)
		evbuffer_add(b, p->database, strlen(p->database) + 1);
	const char *pl = s->sha2 ? MY_PLUGIN_CACHING_SHA2 : MY_PLUGIN_NATIVE;
	evbuffer_add(b, pl, strlen(pl) + 1);
	if (s->caps & MY_CLIENT_CONNECT_ATTRS) {
		static const char name[] = "\x0c_client_name\x06" "dbward";
		uint8_t n = (uint8_t)(sizeof name - 1);
		evbuffer_add(b, &n, 1);
		evbuffer_add(b, name, sizeof name - 1);
	}
	size_t len = evbuffer_get_length(b);
	send_packet(s, evbuffer_pullup(b, -1), len);
	evbuffer_free(b);
	OPENSSL_cleanse(auth, sizeof auth);
	s->phase = MYS_AUTH;
}

static bool start_tls(struct my_server *s)
{
	struct dw_pool *p = s->base.pool;
	SSL_CTX *ctx = client_ctx(p->backend);
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	if (!ssl)
		return false;
	SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	if (p->backend->address.host) {
		SSL_set_tlsext_host_name(ssl, p->backend->address.host);
		if (p->backend->tls.mode == DW_TLS_VERIFY_FULL)
			SSL_set1_host(ssl, p->backend->address.host);
	}
	/* The SSLRequest must leave in the clear before the handshake starts. */
	struct evbuffer *out = bufferevent_get_output(s->base.bev);
	while (evbuffer_get_length(out) > 0) {
		if (evbuffer_write(out, s->fd) < 0 && errno != EAGAIN) {
			SSL_free(ssl);
			return false;
		}
		if (evbuffer_get_length(out) > 0) {
			struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
			poll(&pfd, 1, 100);
		}
	}
	bufferevent_free(s->base.bev);
	s->ssl = ssl;
	s->base.bev = bufferevent_openssl_socket_new(p->worker->base, s->fd, ssl,
		BUFFEREVENT_SSL_CONNECTING, 0);
	if (!s->base.bev)
		return false;
	bufferevent_openssl_set_allow_dirty_shutdown(s->base.bev, 1);
	bufferevent_setcb(s->base.bev, on_read, NULL, on_event, s);
	bufferevent_enable(s->base.bev, EV_READ | EV_WRITE);
	s->phase = MYS_TLS;
	return true;
}

static bool on_greeting(struct my_server *s, uint8_t *pkt, size_t len)
{
	struct dw_pool *p = s->base.pool;
	if (len > 0 && pkt[0] == MY_PKT_ERR) {
		struct my_err err;
		if (my_parse_err(pkt, len, &err))
			fail(s, "server refused the connection: %u %.*s", err.code, (int)err.message.len,
				(const char *)err.message.ptr);
		else
			fail(s, "server refused the connection");
		return false;
	}
	struct my_server_handshake hs;
	if (!my_parse_server_handshake(pkt, len, &hs)) {
		fail(s, "invalid server greeting: %s", hs.error ? hs.error : "?");
		return false;
	}
	if (hs.scramble_len < sizeof s->scramble) {
		fail(s, "server greeting without a 20-byte scramble");
		return false;
	}
	info_set(p->backend->name, &hs);
	memcpy(s->scramble, hs.scramble, sizeof s->scramble);
	s->conn_id = hs.conn_id;
	s->status = hs.status;
	s->charset = p->variant.charset ? (uint8_t)p->variant.charset : hs.charset;

	uint64_t want = p->variant.caps;
	uint64_t base_caps = MY_CLIENT_PROTOCOL_41 | MY_CLIENT_SECURE_CONNECTION | MY_CLIENT_PLUGIN_AUTH |
		MY_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | MY_CLIENT_CONNECT_ATTRS | MY_CLIENT_TRANSACTIONS;
	s->caps = (want | base_caps) & hs.caps;
	/* Bit 0 says "a MySQL peer": mirror the client, whatever the server says. */
	s->caps = (s->caps & ~MY_CLIENT_LONG_PASSWORD) | (want & MY_CLIENT_LONG_PASSWORD);
	if (s->caps & MY_CLIENT_LONG_PASSWORD)
		s->caps &= 0xffffffffull;
	if (p->database[0])
		s->caps |= MY_CLIENT_CONNECT_WITH_DB;
	s->caps &= ~MY_CLIENT_SSL;
	s->seq = 1;

	enum dw_tls_mode mode = p->backend->tls.mode;
	bool server_tls = (hs.caps & MY_CLIENT_SSL) != 0;
	if (mode != DW_TLS_DISABLE && !p->backend->address.unix_path) {
		if (!server_tls) {
			if (mode != DW_TLS_PREFER) {
				fail(s, "TLS required but the server does not offer it");
				return false;
			}
		} else {
			s->caps |= MY_CLIENT_SSL;
			uint8_t req[32] = {0};
			my_put_u32(req, (uint32_t)s->caps);
			my_put_u32(req + 4, 0x40000000u);
			req[8] = s->charset;
			if (!(s->caps & MY_CLIENT_LONG_PASSWORD))
				my_put_u32(req + 28, (uint32_t)(s->caps >> 32));
			send_packet(s, req, sizeof req);
			if (!start_tls(s)) {
				fail(s, "cannot start TLS");
				return false;
			}
			return true; /* phase TLS: reading stops until the handshake */
		}
	}
	send_response(s, hs.auth_plugin);
	return s->phase == MYS_AUTH;
}

static bool on_auth_packet(struct my_server *s, uint8_t *pkt, size_t len)
{
	const char *pw = password_of(s->base.pool);
	if (len == 0) {
		fail(s, "empty packet during authentication");
		return false;
	}
	switch (pkt[0]) {
	case MY_PKT_OK: {
		struct my_ok ok;
		if (my_parse_ok(pkt, len, s->caps, &ok))
			s->status = ok.status;
		if (s->timer)
			evtimer_del(s->timer);
		s->phase = MYS_READY;
		/* Relaying from now on: dbward reads the socket itself. */
		dw_reader_start(&s->base.rd, s->base.bev);
		dw_pool_server_ready(&s->base);
		return false;
	}
	case MY_PKT_ERR: {
		struct my_err err;
		if (my_parse_err(pkt, len, &err))
			fail(s, "login failed: %u (%s) %.*s", err.code, err.sqlstate, (int)err.message.len,
				(const char *)err.message.ptr);
		else
			fail(s, "login failed");
		return false;
	}
	case MY_PKT_EOF: {
		/* AuthSwitchRequest: plugin name, NUL, new scramble (NUL-terminated). */
		size_t pos = 1;
		const char *plugin = my_read_cstr(pkt, len, &pos, NULL);
		if (!plugin || len - pos < sizeof s->scramble) {
			fail(s, "malformed AuthSwitchRequest");
			return false;
		}
		if (strcmp(plugin, MY_PLUGIN_NATIVE) != 0 && strcmp(plugin, MY_PLUGIN_CACHING_SHA2) != 0) {
			fail(s, "server asks for authentication plugin %s, which dbward does not speak",
				plugin);
			return false;
		}
		memcpy(s->scramble, pkt + pos, sizeof s->scramble);
		uint8_t auth[64];
		int alen = auth_answer(s, plugin, auth);
		if (alen < 0) {
			fail(s, "cannot compute the authentication answer");
			return false;
		}
		send_packet(s, auth, (size_t)alen);
		OPENSSL_cleanse(auth, sizeof auth);
		return true;
	}
	case MY_PKT_AUTH_MORE:
		if (!s->sha2 || len < 2) {
			fail(s, "unexpected AuthMoreData");
			return false;
		}
		if (len == 2 && pkt[1] == MY_SHA2_FAST_AUTH_SUCCESS)
			return true; /* the OK follows */
		if (len == 2 && pkt[1] == MY_SHA2_PERFORM_FULL_AUTH) {
			if (s->ssl) {
				send_packet(s, pw, strlen(pw) + 1);
			} else if (!s->asked_key) {
				uint8_t ask = MY_SHA2_REQUEST_PUBLIC_KEY;
				s->asked_key = true;
				send_packet(s, &ask, 1);
			} else {
				fail(s, "server repeated its full authentication request");
				return false;
			}
			return true;
		}
		if (s->asked_key) {
			/* The server's public key, PEM. */
			uint8_t enc[1024];
			int n = my_sha2_rsa_encrypt((const char *)pkt + 1, len - 1, pw, s->scramble, enc,
				sizeof enc);
			if (n < 0) {
				fail(s, "cannot encrypt the password with the server's public key");
				return false;
			}
			send_packet(s, enc, (size_t)n);
			return true;
		}
		fail(s, "unexpected AuthMoreData");
		return false;
	default:
		fail(s, "unexpected packet 0x%02x during authentication", pkt[0]);
		return false;
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct my_server *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	if (s->phase == MYS_CONNECT)
		s->phase = MYS_GREETING; /* data before the connected event */
	uint8_t *pkt = malloc(MY_AUTH_PACKET_MAX);
	if (!pkt) {
		fail(s, "out of memory");
		return;
	}
	while (s->phase == MYS_GREETING || s->phase == MYS_AUTH) {
		size_t len;
		uint8_t seq;
		int r = take_packet(in, pkt, MY_AUTH_PACKET_MAX, &len, &seq);
		if (r == 0)
			break;
		if (r < 0) {
			fail(s, "oversized packet during the handshake");
			break;
		}
		s->seq = (uint8_t)(seq + 1);
		/* A handler that returns false may have freed S (failure, or the
		 * connection went to its pool): touch nothing more. */
		bool go_on = s->phase == MYS_GREETING ? on_greeting(s, pkt, len) : on_auth_packet(s, pkt, len);
		if (!go_on || s->phase != MYS_AUTH)
			break;
		in = bufferevent_get_input(s->base.bev);
	}
	free(pkt);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	struct my_server *s = arg;
	if (what & BEV_EVENT_CONNECTED) {
		if (s->phase == MYS_CONNECT) {
			s->phase = MYS_GREETING;
			if (evbuffer_get_length(bufferevent_get_input(s->base.bev)))
				on_read(s->base.bev, s);
		} else if (s->phase == MYS_TLS) {
			struct dw_pool *p = s->base.pool;
			if (p->backend->tls.mode == DW_TLS_VERIFY_FULL &&
			    SSL_get_verify_result(s->ssl) != X509_V_OK) {
				fail(s, "server certificate verification failed");
				return;
			}
			send_response(s, NULL);
		}
		return;
	}
	char why[160] = "connection closed";
	if (what & BEV_EVENT_ERROR) {
		unsigned long e = s->ssl ? bufferevent_get_openssl_error(s->base.bev) : 0;
		if (e)
			ERR_error_string_n(e, why, sizeof why);
		else
			snprintf(why, sizeof why, "%s", strerror(EVUTIL_SOCKET_ERROR()));
	}
	/* No greeting yet: nothing answered, as far as a client can tell. */
	if (s->phase == MYS_CONNECT || s->phase == MYS_GREETING)
		fail_network(s, "connect failed: %s", why);
	else
		fail(s, "connect failed: %s", why);
}

static void connect_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fail_network(arg, "connect timeout");
}

static struct dw_server *my_server_connect(struct dw_pool *pool)
{
	struct my_server *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(pool->last_error, sizeof pool->last_error, "out of memory");
		return NULL;
	}
	s->base.ops = &my_server_ops;
	s->base.pool = pool;
	s->base.state = DWS_CONNECTING;
	s->base.created_us = dw_now_us();
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	s->fd = dw_server_socket(&pool->backend->address, &ss, &sslen);
	if (s->fd < 0) {
		snprintf(pool->last_error, sizeof pool->last_error, "cannot resolve or open %s",
			pool->backend->address.text);
		free(s);
		return NULL;
	}
	s->base.bev = bufferevent_socket_new(pool->worker->base, s->fd, 0);
	if (!s->base.bev ||
	    bufferevent_socket_connect(s->base.bev, (struct sockaddr *)&ss, (int)sslen) != 0) {
		snprintf(pool->last_error, sizeof pool->last_error, "connect to %s failed: %s",
			pool->backend->address.text, strerror(errno));
		my_server_free(&s->base);
		return NULL;
	}
	bufferevent_setcb(s->base.bev, on_read, NULL, on_event, s);
	bufferevent_enable(s->base.bev, EV_READ | EV_WRITE);
	uint64_t to = pool->cfg->timeouts.connect_ms;
	if (to) {
		s->timer = evtimer_new(pool->worker->base, connect_timeout, s);
		if (s->timer)
			dw_timer_arm(s->timer, to);
	}
	return &s->base;
}

static bool my_server_bind_loop(struct dw_server *ds, struct event_base *base)
{
	struct my_server *s = my_server_of(ds);
	ds->bev = dw_server_bufferevent(base, s->fd, s->ssl);
	if (ds->bev)
		dw_reader_start(&ds->rd, ds->bev);
	return ds->bev != NULL;
}

static void my_server_leave_worker(struct dw_server *ds)
{
	(void)ds;
}

static void my_server_free(struct dw_server *ds)
{
	if (!ds)
		return;
	struct my_server *s = my_server_of(ds);
	if (s->timer)
		event_free(s->timer);
	dw_reader_stop(&ds->rd);
	if (ds->bev)
		bufferevent_free(ds->bev);
	if (s->ssl) {
		SSL_shutdown(s->ssl);
		SSL_free(s->ssl);
	}
	if (s->fd >= 0)
		close(s->fd);
	free(s->schema);
	my_stmt_cache_free(s->stmts);
	free(s);
}

const struct dw_server_ops my_server_ops = {
	.connect = my_server_connect,
	.free = my_server_free,
	.bind_loop = my_server_bind_loop,
	.unbind_loop = dw_server_unbind_loop,
	.leave_worker = my_server_leave_worker,
};

void my_backend_probe(const struct dw_backend_config *backend, uint64_t timeout_ms,
	struct my_backend_info *out)
{
	memset(out, 0, sizeof *out);
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd = dw_server_socket(&backend->address, &ss, &sslen);
	if (fd < 0)
		return;
	int tmo = timeout_ms ? (int)timeout_ms : 5000;
	uint8_t buf[4096];
	size_t have = 0;
	if (connect(fd, (struct sockaddr *)&ss, sslen) != 0 && errno != EINPROGRESS)
		goto done;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, tmo) <= 0)
			goto done;
		ssize_t n = recv(fd, buf + have, sizeof buf - have, 0);
		if (n <= 0)
			goto done;
		have += (size_t)n;
		uint32_t plen;
		uint8_t seq;
		if (have >= MY_HEADER_LEN && my_read_header(buf, have, &plen, &seq) &&
		    have >= MY_HEADER_LEN + plen)
			break;
		if (have == sizeof buf)
			goto done;
	}
	uint32_t plen;
	uint8_t seq;
	struct my_server_handshake hs;
	if (my_read_header(buf, have, &plen, &seq) &&
	    my_parse_server_handshake(buf + MY_HEADER_LEN, plen, &hs)) {
		info_set(backend->name, &hs);
		my_backend_info_get(backend->name, out);
	}
done:
	close(fd);
}
