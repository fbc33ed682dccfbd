/* The `errors` section: whether clients see the server's error messages or
 * a generic text with a reference into the audit trail (docs/errors.md),
 * and the codes whose messages applications need as they are. */
#include "config/config_errors.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"

_Static_assert(sizeof(enum dw_errors_mode) == sizeof(int), "DW_CFG_ENUM fields are ints");

static const struct dw_cfg_enum error_modes[] = {
	{ "passthrough", DW_ERRORS_PASSTHROUGH }, { "sanitize", DW_ERRORS_SANITIZE }, { NULL, 0 },
};

/* A SQLSTATE as the standard writes it: five digits or upper-case letters. */
static bool is_sqlstate(const char *s)
{
	return strlen(s) == 5 && strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 5;
}

/* A MySQL error number as servers send them to clients (1000-9999). A
 * shorter number would read like a SQLSTATE class, which this list does not
 * take. */
static bool is_mysql_errno(const char *s)
{
	return strlen(s) == 4 && strspn(s, "0123456789") == 4 && s[0] != '0';
}

static void check_codes(struct dw_cfg_ctx *ctx, const struct dw_ynode *node, const char *path,
	void *field)
{
	char **codes = *(char ***)field;
	char item_path[DW_CFG_PATH_MAX], q[80];

	if (node->kind != DW_YNODE_SEQ || codes == NULL)
		return;
	for (size_t i = 0; i < node->n; i++) {
		/* NULL: the item was refused already (not a string). */
		if (codes[i] == NULL || is_sqlstate(codes[i]) || is_mysql_errno(codes[i]))
			continue;
		dw_cfg_path_index(item_path, path, i);
		dw_cfg_error(ctx, node->items[i], item_path, "invalid code \"%s\": expected a "
			     "SQLSTATE (5 characters from 0-9 and A-Z, such as 23505) or a MySQL "
			     "error number (1000-9999)", dw_cfg_quote(codes[i], q, sizeof(q)));
	}
}

static const struct dw_cfg_key errors_keys[] = {
	{ .name = "mode", .type = DW_CFG_ENUM, .flags = DW_CFG_RELOADABLE,
	  .offset = offsetof(struct dw_errors_config, mode), .def = "passthrough",
	  .enums = error_modes,
	  .doc = "`passthrough`: clients get the server's errors as they are. `sanitize`: "
		 "the SQLSTATE (and MySQL error number) stay, the message becomes a generic "
		 "text for the SQLSTATE's class with a reference (`dbward: integrity constraint "
		 "violation (ref 5f1c09aa-2a-1)`), and PostgreSQL's detail, hint, position, "
		 "context, object name and source fields are removed; the original message "
		 "goes to the statement's audit record under that reference (docs/errors.md)." },
	{ .name = "passthrough_sqlstates", .type = DW_CFG_STRING_LIST,
	  .flags = DW_CFG_RELOADABLE, .offset = offsetof(struct dw_errors_config, passthrough),
	  .count_offset = offsetof(struct dw_errors_config, n_passthrough), .def_doc = "none",
	  .check = check_codes,
	  .doc = "With `sanitize`: errors with these codes keep their message (and "
		 "PostgreSQL's other fields, but never the server's source file, line and "
		 "function). SQLSTATEs (5 characters from `0-9A-Z`: `23505`, `40001`, "
		 "`40P01`) or MySQL error numbers (`1062`, `1213`)." },
};

const struct dw_cfg_table dw_cfg_errors_table = {
	.item = "errors",
	.keys = errors_keys,
	.n_keys = sizeof(errors_keys) / sizeof(errors_keys[0]),
	.doc = "What clients see of the server's errors: as they are, or a generic message "
	       "with a reference into the audit trail (docs/errors.md).",
};
