/* Process log: one line per event on stderr, plain text or JSON.
 * Never pass secrets to these functions. */
#ifndef DBWARD_PROXY_LOG_H
#define DBWARD_PROXY_LOG_H

#include <stdbool.h>

enum dw_log_level { DW_LOG_DEBUG = 0, DW_LOG_INFO, DW_LOG_WARN, DW_LOG_ERROR };

void dw_log_set_json(bool json);
void dw_log_set_level(enum dw_log_level level);
void dw_log(enum dw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define dw_debug(...) dw_log(DW_LOG_DEBUG, __VA_ARGS__)
#define dw_info(...) dw_log(DW_LOG_INFO, __VA_ARGS__)
#define dw_warn(...) dw_log(DW_LOG_WARN, __VA_ARGS__)
#define dw_error(...) dw_log(DW_LOG_ERROR, __VA_ARGS__)

#endif
