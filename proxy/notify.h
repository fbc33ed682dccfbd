/* Telling a service manager how dbward is doing: systemd's notification
 * protocol (a datagram to the unix socket NOTIFY_SOCKET names), written
 * here without libsystemd. Nothing happens when NOTIFY_SOCKET is not set. */
#ifndef DBWARD_PROXY_NOTIFY_H
#define DBWARD_PROXY_NOTIFY_H

/* Sends STATE ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=..."; lines
 * separated by '\n'). Failures are ignored: the manager may be gone. */
void dw_notify(const char *state);

#endif
