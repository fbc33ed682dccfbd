/* Reading the SQL corpus: tests/unit/corpus/{pg,my}/{benign,hostile}_*.sql.
 *
 * A file is a list of cases. A case starts with a line `-- @case [name]`,
 * may continue with `-- @expect key=value ...` lines, and then holds the SQL
 * text of one message up to the next `-- @case` line (trailing newlines are
 * not part of the text). The format is strict: an unknown key, a malformed
 * value, a duplicate name or a stray `-- @` line is an error, reported with
 * its file and line, never skipped. docs/sql-corpus.md describes the keys. */
#ifndef DBWARD_TESTS_UNIT_CORPUS_READER_H
#define DBWARD_TESTS_UNIT_CORPUS_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/sql_lexer.h"

struct corpus_kv {
	char *key;
	char *value;   /* "" for an empty value */
};

struct corpus_case {
	char *file;            /* "pg/benign_orm.sql": relative to the corpus directory */
	unsigned line;         /* line of the `-- @case` line */
	char *name;            /* "" when the case has no name */
	enum dw_sql_dialect dialect;
	bool hostile;          /* from the file name */
	char *text;            /* the message, NUL-terminated (the NUL is not part of it) */
	size_t len;
	struct corpus_kv *kv;
	size_t n_kv;
};

struct corpus {
	struct corpus_case *cases;
	size_t n_cases;
	char **errors;         /* "file:line: message", for format problems */
	size_t n_errors;
};

/* Loads every *.sql file of DIR/pg and DIR/my (only DIR/pg when PG_ONLY), in
 * name order. Returns false only when a directory or file cannot be read (a
 * message is in C->errors); format problems are collected in C->errors and
 * the well-formed cases are still loaded. */
__attribute__((warn_unused_result))
bool corpus_load(const char *dir, bool pg_only, struct corpus *c);

void corpus_free(struct corpus *c);

/* The value of KEY in CC, or NULL when the case does not give it. */
const char *corpus_get(const struct corpus_case *cc, const char *key);

/* Finds the case named NAME (NULL if none). */
const struct corpus_case *corpus_find(const struct corpus *c, const char *name);

/* Splits a comma-separated VALUE into at most MAX parts written into PARTS
 * (each a NUL-terminated copy in BUF of size CAP). Returns the number of
 * parts (0 for an empty value) or -1 when they do not fit. */
int corpus_split_list(const char *value, char *buf, size_t cap, const char **parts, int max);

/* The options of a case: the dialect's defaults changed by its `opts` key. */
struct dw_sql_options corpus_case_options(const struct corpus_case *cc);

#endif
