/* Markdown reference of every configuration key, printed from the schema
 * tables so docs/configuration.md cannot drift from what the loader does. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "config/config_schema.h"
#include "config/config_values.h"

static const char *type_name(const struct dw_cfg_key *k)
{
	switch (k->type) {
	case DW_CFG_STRING: return "string";
	case DW_CFG_PATH: return "file path";
	case DW_CFG_U32: return "integer";
	case DW_CFG_U32_AUTO: return "integer or `auto`";
	case DW_CFG_DURATION: return "duration";
	case DW_CFG_SIZE: return "size";
	case DW_CFG_BOOL: return "boolean";
	case DW_CFG_ENUM: return "enum";
	case DW_CFG_ADDRESS: return "address";
	case DW_CFG_SECRET: return "secret";
	case DW_CFG_STRING_LIST: return "list of strings";
	case DW_CFG_SECTION: return "mapping";
	case DW_CFG_LIST: return "list of mappings";
	case DW_CFG_U64: return "integer";
	case DW_CFG_CUSTOM: return k->type_doc != NULL ? k->type_doc : "?";
	}
	return "?";
}

static void write_allowed(FILE *out, const struct dw_cfg_key *k)
{
	char lo[32], hi[32];

	switch (k->type) {
	case DW_CFG_ENUM:
		for (const struct dw_cfg_enum *e = k->enums; e->name != NULL; e++)
			fprintf(out, "%s`%s`", e == k->enums ? "" : ", ", e->name);
		return;
	case DW_CFG_U32:
	case DW_CFG_U32_AUTO:
	case DW_CFG_U64:
		fprintf(out, "%" PRIu64 " .. %" PRIu64, k->min, k->max);
		return;
	case DW_CFG_DURATION:
		fprintf(out, "%s .. %s", dw_format_duration(k->min, lo, sizeof(lo)),
			dw_format_duration(k->max, hi, sizeof(hi)));
		return;
	case DW_CFG_SIZE:
		fprintf(out, "%s .. %s", dw_format_size(k->min, lo, sizeof(lo)),
			dw_format_size(k->max, hi, sizeof(hi)));
		return;
	case DW_CFG_PATH:
		fprintf(out, "readable regular file");
		return;
	case DW_CFG_CUSTOM:
		fprintf(out, "%s", k->allowed_doc != NULL ? k->allowed_doc : "-");
		return;
	default:
		fprintf(out, "-");
		return;
	}
}

static void write_rows(FILE *out, const struct dw_cfg_table *t, const char *prefix)
{
	for (size_t i = 0; i < t->n_keys; i++) {
		const struct dw_cfg_key *k = &t->keys[i];
		char path[DW_CFG_PATH_MAX];

		dw_cfg_path_key(path, prefix, k->name);
		if (k->type == DW_CFG_SECRET)
			fprintf(out, "| `%s`, `%s_env`, `%s_file` ", path, k->name, k->name);
		else
			fprintf(out, "| `%s` ", path);
		fprintf(out, "| %s | ", type_name(k));
		if (k->flags & DW_CFG_REQUIRED)
			fprintf(out, "required");
		else if (k->def != NULL)
			fprintf(out, "`%s`", k->def);
		else if (k->def_doc != NULL)
			fprintf(out, "%s", k->def_doc);
		else
			fprintf(out, "-");
		fprintf(out, " | ");
		write_allowed(out, k);
		fprintf(out, " | %s | %s |\n", (k->flags & DW_CFG_RELOADABLE) ? "yes" : "no",
			k->doc != NULL ? k->doc : "");
		if (k->type == DW_CFG_SECTION) {
			write_rows(out, k->sub, path);
		} else if (k->type == DW_CFG_LIST) {
			char items[DW_CFG_PATH_MAX + 2];
			snprintf(items, sizeof(items), "%s[]", path);
			write_rows(out, k->sub, items);
		}
	}
}

void dw_config_write_reference(FILE *out)
{
	const struct dw_cfg_table *root = &dw_cfg_root_table;

	for (size_t i = 0; i < root->n_keys; i++) {
		const struct dw_cfg_key *k = &root->keys[i];
		struct dw_cfg_table one = { .keys = k, .n_keys = 1 };

		fprintf(out, "### `%s`\n\n", k->name);
		if (k->sub != NULL && k->sub->doc != NULL)
			fprintf(out, "%s\n\n", k->sub->doc);
		fprintf(out, "| Key | Type | Default | Allowed | Reload | Meaning |\n");
		fprintf(out, "|---|---|---|---|---|---|\n");
		write_rows(out, &one, "");
		fprintf(out, "\n");
	}
	if (root->later == NULL || root->later[0] == NULL)
		return;
	fprintf(out, "Sections of later releases (");
	for (const char *const *l = root->later; *l != NULL; l++)
		fprintf(out, "%s`%s`", l == root->later ? "" : ", ", *l);
	fprintf(out, ") are rejected as unknown keys by this release.\n");
}
