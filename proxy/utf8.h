/* UTF-8 validation for text dbward writes out (audit records, metric
 * labels): whatever bytes clients and servers sent, what goes out is valid. */
#ifndef DBWARD_PROXY_UTF8_H
#define DBWARD_PROXY_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at S (at most LEN bytes, LEN > 0), or 0
 * when the bytes there are not one (overlong forms, surrogates and code
 * points above U+10FFFF are invalid too). */
size_t dw_utf8_sequence(const unsigned char *s, size_t len);

#endif
