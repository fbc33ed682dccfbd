-- Spellings meant to slip past a filter that reads text naively: odd
-- whitespace and comments inside qualified names, case, quoting, U&""
-- escapes in identifiers, nested comments hiding or revealing code, dollar
-- quotes, backslashes under the wrong standard_conforming_strings, and text
-- the lexer cannot follow (which is refused, never guessed at).

-- @case pge_space_around_dot
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT * FROM pg_catalog . pg_authid

-- @case pge_comment_around_dot
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT * FROM pg_catalog/**/./**/pg_authid

-- @case pge_newline_around_dot
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT rolpassword FROM pg_catalog
.
pg_authid

-- @case pge_upper_case
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT * FROM PG_CATALOG.PG_AUTHID

-- @case pge_quoted_name
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT * FROM pg_catalog."pg_authid"

-- @case pge_quoted_schema
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT * FROM "pg_catalog".pg_authid

-- @case pge_uident_name
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT * FROM pg_catalog.U&"pg_\0061uthid"

-- @case pge_uident_unqualified
-- @expect op=SELECT objects=pg_authid
SELECT rolname, rolpassword FROM U&"pg\005fauthid"

-- @case pge_uident_uescape
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT * FROM pg_catalog.U&"pg_!0061uthid" UESCAPE '!'

-- @case pge_uident_schema
-- @expect op=SELECT objects=information_schema.tables
SELECT * FROM U&"information\005Fschema".tables

-- @case pge_catalog_prefix
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT * FROM postgres.pg_catalog.pg_authid

-- @case pge_function_spacing
-- @expect op=SELECT functions=pg_read_file
SELECT pg_read_file ('/etc/passwd')

-- @case pge_function_comment
-- @expect op=SELECT functions=pg_read_file
SELECT pg_read_file/**/('/etc/passwd')

-- @case pge_function_upper
-- @expect op=SELECT functions=pg_sleep
SELECT PG_SLEEP(10)

-- @case pge_function_uident
-- @expect op=SELECT functions=pg_sleep
SELECT U&"pg\005fsleep"(10)

-- @case pge_stacked_comment_gap
-- @expect stmts=2 classes=ddl objects=users
SELECT 1; /* harmless */ DROP TABLE users

-- @case pge_nested_comment_reveals
-- @expect status=unparseable
SELECT 1 /* /* */ UNION SELECT passwd FROM pg_shadow

-- @case pge_nested_comment_unterminated
-- @expect status=unparseable
SELECT name FROM products /* closing /* nested */ DROP TABLE users

-- @case pge_dollar_hides_semicolon_then_stack
-- @expect stmts=2 classes=ddl
SELECT $a$ $$ ; $a$ ; DROP TABLE users

-- @case pge_dollar_unterminated
-- @expect status=unparseable
SELECT $x$ never closed; DROP TABLE users

-- @case pge_unterminated_string
-- @expect status=unparseable
SELECT * FROM users WHERE name = 'abc

-- @case pge_unterminated_quoted_ident
-- @expect status=unparseable
SELECT * FROM "users

-- @case pge_unterminated_estring
-- @expect status=unparseable
SELECT E'abc\'

-- @case pge_backslash_quote_scs_on
-- @expect status=unparseable
SELECT * FROM users WHERE name = 'O\'Reilly'

-- @case pge_backslash_tautology_scs_on
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE name = 'x\' OR 1=1 --'

-- @case pge_unbalanced_paren
-- @expect status=unparseable
SELECT * FROM users WHERE (id = 1

-- @case pge_extra_close_paren
-- @expect status=unparseable
SELECT * FROM users WHERE id = 1) OR (1=1

-- @case pge_or_tab_tautology
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE name = ''	OR	'1'	=	'1'

-- @case pge_or_quoted_literal_mixed
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE name = '' OR E'a' = 'a'

-- @case pge_or_dollar_literal
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE name = '' OR $$a$$ = $$a$$

-- @case pge_union_case_mixed
-- @expect objects=products,pg_shadow inj_has=union_catalog unions=1
SELECT name FROM products WHERE id = -1 uNiOn SeLeCt passwd FROM pg_shadow

-- @case pge_union_comment_between
-- @expect objects=products,pg_shadow inj_has=union_catalog unions=1
SELECT name FROM products WHERE id = -1/**/UNION/**/SELECT/**/passwd/**/FROM/**/pg_shadow

-- @case pge_union_newlines
-- @expect objects=products,information_schema.tables inj_has=union_catalog unions=1
SELECT name FROM products WHERE id = -1
UNION
SELECT table_name
FROM information_schema
.tables

-- @case pge_copy_program_case
-- @expect op=COPY classes=outfile
copy (select 1) to program 'id'

-- @case pge_copy_program_comment
-- @expect op=COPY classes=outfile
COPY (SELECT 1) TO /* stdout */ PROGRAM 'id'

-- @case pge_copy_filename_estring
-- @expect op=COPY classes=load_data objects=t
COPY t FROM E'/etc/\160asswd'

-- @case pge_deep_nesting
-- @expect objects=users subquery_depth=5
SELECT * FROM users WHERE id IN (SELECT id FROM (SELECT id FROM (SELECT id FROM (SELECT id FROM (SELECT id FROM users) a) b) c) d)

-- @case pge_many_unions
-- @expect objects=t unions=6
SELECT 1 FROM t UNION SELECT 2 FROM t UNION SELECT 3 FROM t UNION SELECT 4 FROM t UNION SELECT 5 FROM t UNION SELECT 6 FROM t UNION SELECT 7 FROM t

-- @case pge_many_joins
-- @expect objects=t joins=9
SELECT 1 FROM t a JOIN t b ON true JOIN t c ON true JOIN t d ON true JOIN t e ON true JOIN t f ON true JOIN t g ON true JOIN t h ON true JOIN t i ON true JOIN t j ON true
