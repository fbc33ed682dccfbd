/* The syslog sink against real loopback sockets: a UDP receiver and a TCP
 * listener stand in for the collector, and every byte that arrives is
 * checked: PRI, version, timestamp, host, app name, procid, octet counts
 * and the JSON itself. Also: reconnecting after the collector restarts, a
 * collector that is down, and one that stops reading. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit_syslog.h"
#include "tests/unit/tap.h"

/* Near DW_AUDIT_RECORD_MAX, the largest record the writer produces. */
#define TCP_LARGE 65000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_timeout(int fd, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
		perror("SO_RCVTIMEO");
}

/* A socket bound to 127.0.0.1:PORT (0 = any free port); PORT is updated. */
static int bound_socket(int type, uint16_t *port, int rcvbuf)
{
	int fd = socket(AF_INET, type, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (rcvbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(*port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sin;
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
			(type == SOCK_STREAM && listen(fd, 16) != 0) ||
			getsockname(fd, (struct sockaddr *)&sin, &sl) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	set_timeout(fd, 2000);
	return fd;
}

static bool is_ts(const char *p)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	for (size_t i = 0; i < sizeof shape - 1; i++) {
		if (shape[i] == 'd' ? !(p[i] >= '0' && p[i] <= '9') : p[i] != shape[i])
			return false;
	}
	return true;
}

static char hostname_token[300];

/* Checks one RFC 5424 message of LEN bytes: PRI, the fixed fields, TS
 * (NULL: any well-formed timestamp), and that MSG is exactly JSON. */
static void check_message(const char *what, const char *msg, size_t len, int pri,
	const char *ts, const char *json)
{
	char want_head[512];
	char got_ts[28] = "";
	int n = snprintf(want_head, sizeof want_head, "<%d>1 ", pri);
	check(len > (size_t)n && memcmp(msg, want_head, (size_t)n) == 0,
		"%s: starts with <%d>1 (got %.12s)", what, pri, msg);
	if (len < (size_t)n + 27)
		return;
	memcpy(got_ts, msg + n, 27);
	if (ts)
		check(strcmp(got_ts, ts) == 0, "%s: TIMESTAMP is the record's ts (%s)", what, got_ts);
	else
		check(is_ts(got_ts), "%s: TIMESTAMP is RFC 3339 UTC with microseconds (%s)", what, got_ts);
	snprintf(want_head, sizeof want_head, "<%d>1 %s %s dbward %ld - - ", pri, got_ts,
		hostname_token, (long)getpid());
	size_t hl = strlen(want_head);
	check(len >= hl && memcmp(msg, want_head, hl) == 0,
		"%s: HOSTNAME, APP-NAME dbward, PROCID, no MSGID/SD (%.*s)", what,
		(int)(len < hl ? len : hl), msg);
	size_t jl = strlen(json);
	check(len == hl + jl && memcmp(msg + hl, json, jl) == 0,
		"%s: MSG is the JSON, intact and without a BOM (%zu bytes)", what, len - hl);
}

/* Reads one octet-counted frame "LEN SP MSG" from FD into BUF. */
static ssize_t read_frame(int fd, char *buf, size_t cap)
{
	char digits[16];
	size_t nd = 0;
	for (;;) {
		char c;
		if (recv(fd, &c, 1, 0) != 1)
			return -1;
		if (c == ' ')
			break;
		if (c < '0' || c > '9' || nd + 1 >= sizeof digits)
			return -1;
		digits[nd++] = c;
	}
	digits[nd] = '\0';
	if (nd == 0 || digits[0] == '0')
		return -1;
	size_t want = strtoul(digits, NULL, 10);
	if (want > cap)
		return -1;
	size_t got = 0;
	while (got < want) {
		ssize_t r = recv(fd, buf + got, want - got, 0);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return (ssize_t)want;
}

static char *big_json(size_t len)
{
	char *j = malloc(len + 1);
	if (!j)
		abort();
	static const char lead[] = "{\"ts\":\"2026-11-22T13:00:00.000001Z\",\"statement\":\"";
	memcpy(j, lead, sizeof lead - 1);
	for (size_t i = sizeof lead - 1; i < len - 2; i++)
		j[i] = (char)('a' + i % 26);
	j[len - 2] = '"';
	j[len - 1] = '}';
	j[len] = '\0';
	return j;
}

static const char REC1[] = "{\"ts\":\"2026-11-22T13:00:00.123456Z\",\"seq\":1,\"event\":\"auth\","
	"\"action\":\"login_failed\",\"outcome\":\"failure\",\"severity\":\"warning\","
	"\"user\":\"jos\xc3\xa9\"}";
static const char REC_NO_TS[] = "{\"seq\":2,\"event\":\"query\",\"statement\":\"SELECT 1\"}";

static void test_udp(void)
{
	uint16_t port = 0;
	int rx = bound_socket(SOCK_DGRAM, &port, 0);
	check(rx >= 0, "udp: receiver bound on 127.0.0.1:%u", port);
	if (rx < 0)
		return;
	struct dw_address addr = {.text = "127.0.0.1", .host = "127.0.0.1", .port = port};
	struct dw_syslog *s = dw_syslog_open(&addr, false);
	check(s != NULL, "udp: open");
	static char buf[70000];

	check(dw_syslog_send(s, REC1, strlen(REC1), "warning"), "udp: send warning");
	ssize_t n = recv(rx, buf, sizeof buf, 0);
	check_message("udp warning", buf, n > 0 ? (size_t)n : 0, 13 * 8 + 4,
		"2026-11-22T13:00:00.123456Z", REC1);

	static const struct { const char *sev; int code; } sevs[] = {
		{"info", 6}, {"error", 3}, {"critical", 2}, {"bogus", 5}, {NULL, 5},
	};
	for (size_t i = 0; i < sizeof sevs / sizeof sevs[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "udp severity %s", sevs[i].sev ? sevs[i].sev : "NULL");
		check(dw_syslog_send(s, REC_NO_TS, strlen(REC_NO_TS), sevs[i].sev), "%s: sent", what);
		n = recv(rx, buf, sizeof buf, 0);
		check_message(what, buf, n > 0 ? (size_t)n : 0, 104 + sevs[i].code, NULL, REC_NO_TS);
	}

	/* The file's line, newline included, is sent without it. */
	char line[sizeof REC1 + 1];
	snprintf(line, sizeof line, "%s\n", REC1);
	check(dw_syslog_send(s, line, strlen(line), "info"), "udp: line with newline sent");
	n = recv(rx, buf, sizeof buf, 0);
	check_message("udp newline", buf, n > 0 ? (size_t)n : 0, 110,
		"2026-11-22T13:00:00.123456Z", REC1);

	/* One datagram per record, however large, up to what a datagram holds. */
	char *large = big_json(60000);
	check(dw_syslog_send(s, large, 60000, "info"), "udp: 60000-byte record sent whole");
	n = recv(rx, buf, sizeof buf, 0);
	check_message("udp large", buf, n > 0 ? (size_t)n : 0, 110,
		"2026-11-22T13:00:00.000001Z", large);
	free(large);
	char *huge = big_json(65500);
	check(!dw_syslog_send(s, huge, 65500, "info"), "udp: record larger than a datagram refused");
	free(huge);
	check(dw_syslog_send(s, REC1, strlen(REC1), "info"), "udp: still usable after that");
	n = recv(rx, buf, sizeof buf, 0);
	check(n > 0, "udp: next datagram arrived");

	dw_syslog_close(s);
	close(rx);
}

static void test_tcp(void)
{
	uint16_t port = 0;
	int lfd = bound_socket(SOCK_STREAM, &port, 0);
	check(lfd >= 0, "tcp: listener on 127.0.0.1:%u", port);
	if (lfd < 0)
		return;
	struct dw_address addr = {.text = "localhost", .host = "localhost", .port = port};
	struct dw_syslog *s = dw_syslog_open(&addr, true);
	check(s != NULL, "tcp: open (host name resolved)");
	int c = accept(lfd, NULL, NULL);
	check(c >= 0, "tcp: connected at open");
	if (c < 0) {
		dw_syslog_close(s);
		close(lfd);
		return;
	}
	set_timeout(c, 2000);
	static char buf[70000];

	check(dw_syslog_send(s, REC1, strlen(REC1), "warning"), "tcp: send 1");
	check(dw_syslog_send(s, REC_NO_TS, strlen(REC_NO_TS), "critical"), "tcp: send 2");
	char *large = big_json(TCP_LARGE);
	check(dw_syslog_send(s, large, TCP_LARGE, "error"), "tcp: send 3 (large)");

	ssize_t n = read_frame(c, buf, sizeof buf);
	check(n > 0, "tcp: frame 1 octet count matches its message");
	check_message("tcp 1", buf, n > 0 ? (size_t)n : 0, 108, "2026-11-22T13:00:00.123456Z", REC1);
	n = read_frame(c, buf, sizeof buf);
	check_message("tcp 2", buf, n > 0 ? (size_t)n : 0, 106, NULL, REC_NO_TS);
	n = read_frame(c, buf, sizeof buf);
	check_message("tcp 3", buf, n > 0 ? (size_t)n : 0, 107, "2026-11-22T13:00:00.000001Z", large);

	/* The collector goes away: the sink notices before writing into the
	 * dead connection, fails fast, and does not retry on every record. */
	close(c);
	close(lfd);
	double t0 = now_s();
	check(!dw_syslog_send(s, REC1, strlen(REC1), "info"), "tcp: send fails with the collector gone");
	lfd = bound_socket(SOCK_STREAM, &port, 0);
	check(lfd >= 0, "tcp: collector restarted on the same port %u", port);
	check(!dw_syslog_send(s, REC1, strlen(REC1), "info"), "tcp: no reconnect within the backoff");
	double t1 = now_s();
	check(t1 - t0 < 0.3, "tcp: both failures were quick (%.3f s)", t1 - t0);
	struct timespec pause = {.tv_sec = 1, .tv_nsec = 150 * 1000 * 1000};
	nanosleep(&pause, NULL);
	check(dw_syslog_send(s, REC1, strlen(REC1), "info"), "tcp: reconnected after the backoff");
	c = lfd >= 0 ? accept(lfd, NULL, NULL) : -1;
	check(c >= 0, "tcp: collector accepted the new connection");
	if (c >= 0) {
		set_timeout(c, 2000);
		n = read_frame(c, buf, sizeof buf);
		check_message("tcp after reconnect", buf, n > 0 ? (size_t)n : 0, 110,
			"2026-11-22T13:00:00.123456Z", REC1);
		close(c);
	}
	free(large);
	dw_syslog_close(s);
	if (lfd >= 0)
		close(lfd);
}

static void test_tcp_down(void)
{
	/* A port nobody listens on: bind one, learn it, close it. */
	uint16_t port = 0;
	int tmp = bound_socket(SOCK_STREAM, &port, 0);
	if (tmp >= 0)
		close(tmp);
	struct dw_address addr = {.text = "127.0.0.1", .host = "127.0.0.1", .port = port};
	double t0 = now_s();
	struct dw_syslog *s = dw_syslog_open(&addr, true);
	check(s != NULL, "down: open succeeds with the collector down");
	bool any = false;
	for (int i = 0; i < 100; i++)
		any |= dw_syslog_send(s, REC1, strlen(REC1), "info");
	double t1 = now_s();
	check(!any, "down: every send returns false");
	check(t1 - t0 < 0.2, "down: open and 100 sends took %.3f s", t1 - t0);
	dw_syslog_close(s);

	check(dw_syslog_open(NULL, true) == NULL, "open without an address is refused");
	check(!dw_syslog_send(NULL, REC1, strlen(REC1), "info"), "send on NULL is false");
	dw_syslog_close(NULL);
}

static void test_tcp_stalled(void)
{
	/* A collector that accepts and never reads: once the socket buffers are
	 * full, a send gives up after about a second and the next ones fail fast. */
	uint16_t port = 0;
	int lfd = bound_socket(SOCK_STREAM, &port, 4096);
	struct dw_address addr = {.text = "127.0.0.1", .host = "127.0.0.1", .port = port};
	struct dw_syslog *s = dw_syslog_open(&addr, true);
	int c = lfd >= 0 ? accept(lfd, NULL, NULL) : -1;
	check(s && c >= 0, "stalled: connected");
	char *large = big_json(60000);
	double worst = 0, t_start = now_s();
	int sent = 0;
	bool failed = false;
	for (int i = 0; i < 2000 && !failed; i++) {
		double t0 = now_s();
		failed = !dw_syslog_send(s, large, 60000, "info");
		double dt = now_s() - t0;
		if (dt > worst)
			worst = dt;
		sent += !failed;
	}
	check(failed, "stalled: a send failed after %d records filled the buffers", sent);
	check(worst >= 0.8 && worst < 1.6, "stalled: the failing send gave up after %.3f s", worst);
	check(now_s() - t_start < 5, "stalled: whole run bounded");
	double t0 = now_s();
	check(!dw_syslog_send(s, REC1, strlen(REC1), "info"), "stalled: next send fails");
	check(now_s() - t0 < 0.1, "stalled: ... at once (backoff)");
	free(large);
	dw_syslog_close(s);
	if (c >= 0)
		close(c);
	if (lfd >= 0)
		close(lfd);
}

int main(void)
{
	char raw[300] = "";
	if (gethostname(raw, sizeof raw - 1) != 0 || !raw[0])
		snprintf(raw, sizeof raw, "-");
	size_t i = 0;
	for (; raw[i] && i < 255; i++)
		hostname_token[i] = (raw[i] >= 33 && raw[i] <= 126) ? raw[i] : '_';
	hostname_token[i] = '\0';

	test_udp();
	test_tcp();
	test_tcp_down();
	test_tcp_stalled();
	return tap_done();
}
