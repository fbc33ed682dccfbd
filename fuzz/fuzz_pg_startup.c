/* libFuzzer target for the startup packet parser (proxy/pg_codec.c).
 *
 * The input is the packet body after its length word, as a client could send
 * it. Beyond memory safety, the parsed result is checked against what the
 * header promises: every string it returns lies inside the input and ends
 * there, and each kind comes with what that kind needs. A broken promise
 * aborts so the fuzzer reports it. */
#include "proxy/pg_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: says which, then aborts so the fuzzer keeps the input. */
__attribute__((noreturn))
static void fail(const char *why)
{
	fprintf(stderr, "fuzz_pg_startup: %s\n", why);
	abort();
}

/* S must point into DATA and its NUL must be inside DATA too. */
static void check_str(const uint8_t *data, size_t size, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	if (!s || p < data || p >= data + size || !memchr(p, '\0', (size_t)(data + size - p)))
		fail("a returned string is not inside the input");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_startup st;
	pg_parse_startup(data, size, &st);

	switch (st.kind) {
	case PG_STARTUP_NORMAL:
		if (st.error || (st.version >> 16) != 3 || st.n_params > PG_STARTUP_MAX_PARAMS)
			fail("NORMAL with an error, another version or too many params");
		check_str(data, size, st.user);
		check_str(data, size, st.database);
		if (!st.user[0] || !st.database[0])
			fail("NORMAL with an empty user or database");
		for (size_t i = 0; i < st.n_params; i++) {
			check_str(data, size, st.params[i].name);
			check_str(data, size, st.params[i].value);
			if (!strcmp(st.params[i].name, "user") || !strcmp(st.params[i].name, "database"))
				fail("user or database left among the other params");
		}
		/* The final NUL is the last byte: nothing is left unread. */
		if (data[size - 1] != '\0')
			fail("NORMAL packet that does not end with its final NUL");
		break;
	case PG_STARTUP_SSL:
	case PG_STARTUP_GSSENC:
		if (size != 4)
			fail("SSL/GSSENC request that is not 4 bytes");
		break;
	case PG_STARTUP_CANCEL:
		if (size != 12 || st.version != PG_CANCEL_REQUEST_CODE ||
			st.cancel_pid != pg_get_u32(data + 4) || st.cancel_key != pg_get_u32(data + 8))
			fail("CancelRequest with the wrong size, code, pid or key");
		break;
	case PG_STARTUP_BAD_VERSION:
		if (!st.error || (st.version >> 16) == 3)
			fail("BAD_VERSION without an error, or for a 3.x version");
		break;
	case PG_STARTUP_INVALID:
		if (!st.error)
			fail("INVALID without an error");
		break;
	default:
		fail("unknown kind");
	}

	/* Walk the body as strings from every start offset a parser might use. */
	for (size_t start = 0; start < size && start < 64; start++) {
		size_t pos = start;
		const char *s;
		while ((s = pg_read_cstr(data, size, &pos)) != NULL) {
			check_str(data, size, s);
			if (pos > size)
				fail("pg_read_cstr moved past the end");
		}
	}
	return 0;
}
