/* Parsers for the value syntaxes used in dbward.yaml: durations, sizes,
 * addresses and plain unsigned integers.
 *
 * They are exported because later sections (and the admin endpoint, the
 * command line) accept the same syntax. Each parser returns NULL on success
 * or a short static message saying what is wrong; the message never repeats
 * the input, so callers decide whether the text is safe to echo. */
#ifndef DBWARD_CONFIG_CONFIG_VALUES_H
#define DBWARD_CONFIG_CONFIG_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* "250ms", "5s", "10m", "1h" or a plain "0" (disabled). No sign, no
 * spaces, no fractions, no unit-less numbers other than 0. */
const char *dw_parse_duration_ms(const char *text, uint64_t *out_ms)
	__attribute__((warn_unused_result));

/* "512" (bytes), "64KiB", "16MiB", "1GiB", "2TiB". Powers of 1024 only: the
 * decimal forms (KB, MB) are refused rather than guessed at. */
const char *dw_parse_size(const char *text, uint64_t *out_bytes)
	__attribute__((warn_unused_result));

/* Unsigned decimal integer that fits in uint64_t. */
const char *dw_parse_u64(const char *text, uint64_t *out)
	__attribute__((warn_unused_result));

/* "host:port", "[v6]:port" or an absolute unix socket path. Fills every
 * field of OUT (allocated copies; release with dw_address_clear). On error
 * OUT is left zeroed. */
const char *dw_parse_address(const char *text, struct dw_address *out)
	__attribute__((warn_unused_result));

void dw_address_clear(struct dw_address *addr);

/* Writes the shortest exact form of MS ("0", "250ms", "5s", "10m", "1h")
 * into BUF. Returns BUF. */
char *dw_format_duration(uint64_t ms, char *buf, size_t cap);

/* Writes the shortest exact form of BYTES ("512", "64KiB", "1GiB"). */
char *dw_format_size(uint64_t bytes, char *buf, size_t cap);

#endif
