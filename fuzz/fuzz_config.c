/* libFuzzer target: the YAML configuration loader on arbitrary text. Every
 * input must either load (and free cleanly) or be refused with errors; no
 * input may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	struct dw_config *cfg = dw_config_load_buffer("fuzz.yaml", (const char *)data, size, sink);
	if (cfg)
		dw_config_unref(cfg);
	return 0;
}
