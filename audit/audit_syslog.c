/* RFC 5424 syslog sink for audit records.
 *
 * Message: <PRI>1 TIMESTAMP HOSTNAME dbward PROCID - - JSON
 *   PRI       facility 13 ("log audit") * 8 + severity of the record
 *   TIMESTAMP the record's own `ts` when it leads the JSON, else now
 *   MSG       the JSON record, UTF-8, without a BOM: collectors parse it as
 *             JSON and a BOM would have to be stripped first
 * UDP carries one message per datagram; TCP frames each as "LEN SP MSG"
 * (octet counting, RFC 6587 3.4.1), which survives newlines and needs no
 * escaping.
 *
 * The collector is never trusted to be up or responsive: every call has a
 * one-second budget (connect plus send), a failed connect waits out a
 * backoff (1 s doubling to 30 s) before the next attempt, and a TCP send
 * that cannot finish in time closes the connection, since a partly written
 * frame would desynchronise the stream. The file is the record of truth;
 * a false return only counts a record the collector did not get. */
#include "audit/audit_syslog.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SYSLOG_FACILITY_LOG_AUDIT 13
#define SYSLOG_BUDGET_MS 1000
#define SYSLOG_BACKOFF_MIN_MS 1000
#define SYSLOG_BACKOFF_MAX_MS 30000
/* Largest UDP payload over IPv4 (65535 - 20 IP - 8 UDP). */
#define SYSLOG_UDP_MAX 65507u
#define SYSLOG_HOSTNAME_MAX 255

struct dw_syslog {
	char *host;             /* NULL for a unix socket */
	char port[8];
	char *unix_path;
	bool tcp;
	int fd;                 /* -1 while not connected */
	int64_t next_attempt_ms;
	int64_t backoff_ms;
	char hostname[SYSLOG_HOSTNAME_MAX + 1];
	long pid;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining_ms(int64_t deadline)
{
	int64_t left = deadline - now_ms();
	return left > 0 ? (int)left : 0;
}

/* RFC 5424 HOSTNAME is 1*255 PRINTUSASCII (33..126); anything else in the
 * system's name becomes '_' so a message always parses. */
static void load_hostname(char *out, size_t cap)
{
	char raw[SYSLOG_HOSTNAME_MAX + 2];
	if (gethostname(raw, sizeof raw) != 0)
		raw[0] = '\0';
	raw[sizeof raw - 1] = '\0';
	size_t n = 0;
	for (; raw[n] && n + 1 < cap && n < SYSLOG_HOSTNAME_MAX; n++) {
		unsigned char c = (unsigned char)raw[n];
		out[n] = (c >= 33 && c <= 126) ? (char)c : '_';
	}
	if (n == 0)
		out[n++] = '-';
	out[n] = '\0';
}

static int severity_code(const char *severity)
{
	if (!severity)
		return 5;
	if (strcmp(severity, "info") == 0)
		return 6;
	if (strcmp(severity, "warning") == 0)
		return 4;
	if (strcmp(severity, "error") == 0)
		return 3;
	if (strcmp(severity, "critical") == 0)
		return 2;
	return 5; /* notice: a severity this sink does not know */
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Copies the record's `ts` into OUT (28 bytes) when JSON starts with
 * {"ts":"YYYY-MM-DDTHH:MM:SS.ffffffZ", so the syslog TIMESTAMP and the
 * record agree; false when it does not look exactly like that. */
static bool record_timestamp(const char *json, size_t len, char out[28])
{
	static const char lead[] = "{\"ts\":\"";
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t lead_len = sizeof lead - 1, ts_len = sizeof shape - 1;
	if (len < lead_len + ts_len + 1 || memcmp(json, lead, lead_len) != 0)
		return false;
	const char *ts = json + lead_len;
	for (size_t i = 0; i < ts_len; i++) {
		if (shape[i] == 'd' ? !is_digit(ts[i]) : ts[i] != shape[i])
			return false;
	}
	if (ts[ts_len] != '"')
		return false;
	memcpy(out, ts, ts_len);
	out[ts_len] = '\0';
	return true;
}

static void current_timestamp(char out[28])
{
	struct timespec ts;
	struct tm tm;
	char buf[64];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof buf - n, ".%06uZ", (unsigned)(ts.tv_nsec / 1000) % 1000000u);
	memcpy(out, buf, 27);
	out[27] = '\0';
}

static void close_fd(struct dw_syslog *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void note_connect_failure(struct dw_syslog *s)
{
	s->next_attempt_ms = now_ms() + s->backoff_ms;
	s->backoff_ms *= 2;
	if (s->backoff_ms > SYSLOG_BACKOFF_MAX_MS)
		s->backoff_ms = SYSLOG_BACKOFF_MAX_MS;
}

/* Connects a non-blocking socket to ADDR, waiting until DEADLINE at most. */
static int connect_one(const struct sockaddr *addr, socklen_t addrlen, int family, int type,
	int64_t deadline)
{
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, addr, addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int left = remaining_ms(deadline);
		int rc = poll(&p, 1, left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			break;
		int err = 0;
		socklen_t errlen = sizeof err;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) == 0 && err == 0)
			return fd;
		break;
	}
	close(fd);
	return -1;
}

/* Resolves the address again (the collector may have moved) and connects
 * to the first result that answers before DEADLINE. */
static bool try_connect(struct dw_syslog *s, int64_t deadline)
{
	int type = s->tcp ? SOCK_STREAM : SOCK_DGRAM;
	int fd = -1;
	if (s->unix_path) {
		struct sockaddr_un un = {.sun_family = AF_UNIX};
		size_t n = strlen(s->unix_path);
		if (n < sizeof un.sun_path) {
			memcpy(un.sun_path, s->unix_path, n + 1);
			fd = connect_one((const struct sockaddr *)&un, sizeof un, AF_UNIX, type, deadline);
		}
	} else {
		struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = type,
			.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV};
		struct addrinfo *res = NULL;
		if (getaddrinfo(s->host, s->port, &hints, &res) == 0) {
			for (struct addrinfo *ai = res; ai && fd < 0 && remaining_ms(deadline) > 0;
					ai = ai->ai_next)
				fd = connect_one(ai->ai_addr, ai->ai_addrlen, ai->ai_family, type, deadline);
			freeaddrinfo(res);
		}
	}
	if (fd < 0) {
		note_connect_failure(s);
		return false;
	}
	if (s->tcp && !s->unix_path) {
		int one = 1;
		/* A collector host that vanished is noticed eventually even with
		 * no reply traffic; failing to set it only delays that. */
		(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	}
	s->fd = fd;
	s->backoff_ms = SYSLOG_BACKOFF_MIN_MS;
	s->next_attempt_ms = 0;
	return true;
}

/* A collector never talks back over syslog TCP: end of stream or an error
 * here means it closed, and sending would lose the next record into a dead
 * socket. Anything it does send is read and dropped. */
static bool tcp_peer_alive(int fd)
{
	char sink[512];
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0)
			return false;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK;
	}
	return true;
}

/* Sends the whole of IOV before DEADLINE. Returns the bytes sent, which is
 * short of TOTAL on failure (errno set). */
static size_t send_all(int fd, struct iovec *iov, int iovcnt, size_t total, int64_t deadline)
{
	size_t done = 0;
	while (done < total) {
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return done;
			int left = remaining_ms(deadline);
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			if (left <= 0 || poll(&p, 1, left) <= 0 || !(p.revents & POLLOUT)) {
				errno = ETIMEDOUT;
				return done;
			}
			continue;
		}
		done += (size_t)n;
		/* Step past what went out. */
		size_t adv = (size_t)n;
		while (iovcnt > 0 && adv >= iov->iov_len) {
			adv -= iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + adv;
			iov->iov_len -= adv;
		}
	}
	return done;
}

struct dw_syslog *dw_syslog_open(const struct dw_address *address, bool tcp)
{
	if (!address || (!address->host && !address->unix_path))
		return NULL;
	struct dw_syslog *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->fd = -1;
	s->tcp = tcp;
	s->backoff_ms = SYSLOG_BACKOFF_MIN_MS;
	if (address->host) {
		s->host = strdup(address->host);
		snprintf(s->port, sizeof s->port, "%u", (unsigned)address->port);
	} else {
		s->unix_path = strdup(address->unix_path);
	}
	if (address->host ? !s->host : !s->unix_path) {
		free(s);
		return NULL;
	}
	load_hostname(s->hostname, sizeof s->hostname);
	s->pid = (long)getpid();
	/* An unreachable collector is not an error: sends retry later. */
	(void)try_connect(s, now_ms() + SYSLOG_BUDGET_MS);
	return s;
}

bool dw_syslog_send(struct dw_syslog *s, const char *json, size_t len, const char *severity)
{
	if (!s || (!json && len))
		return false;
	/* The file line's newline is not part of MSG. */
	while (len > 0 && (json[len - 1] == '\n' || json[len - 1] == '\r'))
		len--;
	int64_t deadline = now_ms() + SYSLOG_BUDGET_MS;

	char ts[28];
	if (!record_timestamp(json, len, ts))
		current_timestamp(ts);
	char head[32 + 28 + SYSLOG_HOSTNAME_MAX + 64];
	int hn = snprintf(head, sizeof head, "<%d>1 %s %s dbward %ld - - ",
		SYSLOG_FACILITY_LOG_AUDIT * 8 + severity_code(severity), ts, s->hostname, s->pid);
	if (hn < 0 || (size_t)hn >= sizeof head)
		return false;
	size_t msg_len = (size_t)hn + len;
	if (!s->tcp && msg_len > SYSLOG_UDP_MAX)
		return false; /* a datagram cannot hold it; cutting it would break the JSON */

	if (s->fd >= 0 && s->tcp && !tcp_peer_alive(s->fd))
		close_fd(s);
	if (s->fd < 0) {
		if (now_ms() < s->next_attempt_ms || !try_connect(s, deadline))
			return false;
	}

	char prefix[24];
	int pn = s->tcp ? snprintf(prefix, sizeof prefix, "%zu ", msg_len) : 0;
	struct iovec iov[3];
	int iovcnt = 0;
	if (pn > 0)
		iov[iovcnt++] = (struct iovec){.iov_base = prefix, .iov_len = (size_t)pn};
	iov[iovcnt++] = (struct iovec){.iov_base = head, .iov_len = (size_t)hn};
	if (len)
		iov[iovcnt++] = (struct iovec){.iov_base = (void *)json, .iov_len = len};
	size_t total = (size_t)(pn > 0 ? pn : 0) + msg_len;

	if (!s->tcp) {
		/* A connected UDP socket reports an earlier datagram's ICMP
		 * "port unreachable" on the next send, which then did not go out:
		 * try once more so this record is not the one that pays. */
		for (int attempt = 0; attempt < 2; attempt++) {
			struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
			ssize_t n = sendmsg(s->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n >= 0)
				return (size_t)n == total;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = {.fd = s->fd, .events = POLLOUT};
				if (poll(&p, 1, remaining_ms(deadline)) <= 0)
					return false;
				continue;
			}
			if (errno != ECONNREFUSED && errno != EINTR)
				break;
		}
		/* Dropped by the kernel or the route went away: start afresh later. */
		close_fd(s);
		note_connect_failure(s);
		return false;
	}

	if (send_all(s->fd, iov, iovcnt, total, deadline) == total)
		return true;
	close_fd(s);
	note_connect_failure(s);
	return false;
}

void dw_syslog_close(struct dw_syslog *s)
{
	if (!s)
		return;
	close_fd(s);
	free(s->host);
	free(s->unix_path);
	free(s);
}
