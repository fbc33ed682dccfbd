/* dbward command line: run the proxy, check a configuration, print the version. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "audit/audit.h"
#include "config/config.h"
#include "dbward_version.h"
#include "policy/allowlist.h"
#include "proxy/admin_http.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/notify.h"
#include "proxy/worker.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dbward -c FILE [--log-format text|json]   run the proxy in the foreground\n"
		"       dbward --check-config FILE              validate a configuration (exit 0 or 2)\n"
		"       dbward --config-reference               print every configuration key\n"
		"       dbward audit verify FILE... [--key-file K]  check an audit log's hash chain\n"
		"       dbward --version\n");
}

static int check_config(const char *path)
{
	struct dw_config *cfg = dw_config_load(path, stdout);
	if (!cfg)
		return 2;
	printf("%s: configuration is valid\n", path);
	dw_config_unref(cfg);
	return 0;
}

/* `user:` / `group:` of the configuration: once the listeners are open (a
 * port below 1024 needs root) dbward runs as that account, every thread
 * (glibc applies setuid to the whole process). Started as another user,
 * the keys are ignored with a warning. */
static int drop_privileges(const struct dw_config *cfg)
{
	if (!cfg->run_user)
		return 0;
	if (geteuid() != 0) {
		dw_warn("user: %s ignored: dbward was not started as root", cfg->run_user);
		return 0;
	}
	struct passwd *pw = getpwnam(cfg->run_user);
	if (!pw) {
		dw_error("user: no account named %s", cfg->run_user);
		return -1;
	}
	gid_t gid = pw->pw_gid;
	if (cfg->run_group) {
		struct group *gr = getgrnam(cfg->run_group);
		if (!gr) {
			dw_error("group: no group named %s", cfg->run_group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(pw->pw_uid) != 0) {
		dw_error("cannot switch to user %s: %s", cfg->run_user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		dw_error("root privileges could not be dropped");
		return -1;
	}
	dw_info("running as user %s (uid %u, gid %u)", cfg->run_user, (unsigned)pw->pw_uid,
		(unsigned)gid);
	return 0;
}

static int run(const char *path)
{
	struct dw_config *cfg = dw_config_load(path, stderr);
	if (!cfg)
		return 2;

	/* Workers inherit a mask without these; the main thread takes them with
	 * sigwait, so no handler ever runs on a worker's stack. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* The audit writer first: no session may start before its records
	 * have somewhere to go. */
	if (dw_audit_start(cfg, cfg->workers) != 0) {
		dw_error("startup failed: the audit log cannot be written");
		dw_config_unref(cfg);
		return 1;
	}
	struct dw_runtime rt;
	memset(&rt, 0, sizeof rt);
	dw_metrics_start(cfg);
	if (dw_runtime_start(&rt, cfg) != 0 || dw_admin_start(&rt, cfg) != 0) {
		dw_error("startup failed");
		dw_runtime_stop(&rt);
		dw_audit_stop();
		dw_config_unref(cfg);
		return 1;
	}
	if (drop_privileges(cfg) != 0) {
		dw_admin_stop();
		dw_runtime_stop(&rt);
		dw_audit_stop();
		dw_config_unref(cfg);
		return 1;
	}
	dw_info("dbward %s started with %u worker(s)", DBWARD_VERSION, cfg->workers);
	dw_notify("READY=1\nSTATUS=serving");
	for (;;) {
		int sig = 0;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT) {
			uint64_t grace = rt.cfg->timeouts.shutdown_grace_ms;
			dw_info("received %s, stopping: statements in flight get up to %llu ms to finish",
				sig == SIGTERM ? "SIGTERM" : "SIGINT", (unsigned long long)grace);
			dw_notify("STOPPING=1\nSTATUS=draining");
			dw_runtime_drain(&rt, grace);
			break;
		}
		if (sig == SIGHUP) {
			dw_info("SIGHUP: reloading %s", path);
			dw_notify("RELOADING=1");
			bool ok = dw_runtime_reload(&rt, path);
			dw_notify(ok ? "READY=1\nSTATUS=serving" :
				"READY=1\nSTATUS=serving; the last reload was refused (see the log)");
		}
		if (sig == SIGUSR1) {
			dw_info("SIGUSR1: reopening the audit log");
			dw_audit_reopen();
		}
	}
	dw_admin_stop();            /* it reads the workers: before they go */
	dw_runtime_stop(&rt);
	dw_audit_stop();            /* every record queued so far reaches the file */
	dw_allowlist_writer_stop(); /* learned fingerprints reach their file */
	dw_config_unref(cfg);
	dw_info("stopped");
	return 0;
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	if (argc >= 2 && strcmp(argv[1], "audit") == 0)
		return dw_audit_cli(argc - 2, argv + 2);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("dbward %s\n", DBWARD_VERSION);
			return 0;
		} else if (strcmp(a, "--config-reference") == 0) {
			dw_config_write_reference(stdout);
			return 0;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--check-config") == 0) {
			if (i + 1 >= argc) {
				usage(stderr);
				return 2;
			}
			return check_config(argv[i + 1]);
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= argc) {
				usage(stderr);
				return 2;
			}
			config = argv[++i];
		} else if (strcmp(a, "--log-format") == 0) {
			if (i + 1 >= argc || (strcmp(argv[i + 1], "json") != 0 &&
						 strcmp(argv[i + 1], "text") != 0)) {
				usage(stderr);
				return 2;
			}
			dw_log_set_json(strcmp(argv[++i], "json") == 0);
		} else {
			fprintf(stderr, "dbward: unknown argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!config) {
		usage(stderr);
		return 2;
	}
	return run(config);
}
