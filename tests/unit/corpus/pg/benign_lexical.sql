-- Text that merely looks dangerous: string literals and comments holding SQL
-- keywords, quotes, comment markers and semicolons; E'' strings with \'
-- escapes, U&'' strings and identifiers, dollar quoting (tagged and nested),
-- nested block comments, quoted identifiers that spell keywords, numbers,
-- parameters and casts. None of it is an injection; all of it is one
-- statement unless the case says otherwise.

-- @case lit_or_1_1
-- @expect op=SELECT objects=users stmts=1
SELECT * FROM users WHERE bio = 'I like OR 1=1 jokes'

-- @case lit_or_quote_tautology
-- @expect op=SELECT objects=users stmts=1
SELECT id FROM users WHERE nickname = ''' OR ''1''=''1'

-- @case lit_dash_dash
-- @expect op=INSERT objects=comments stmts=1
INSERT INTO comments (body) VALUES ('Great post -- really')

-- @case lit_bobby_tables
-- @expect op=INSERT objects=students stmts=1 classes= writes=yes
INSERT INTO students (name) VALUES ('Robert''); DROP TABLE students;--')

-- @case lit_union_select
-- @expect op=SELECT objects= stmts=1 unions=0
SELECT 'UNION SELECT password FROM users' AS example

-- @case lit_sleep_name
-- @expect op=SELECT objects=jobs functions= stmts=1
SELECT id FROM jobs WHERE command = 'SELECT pg_sleep(10)'

-- @case cmt_union_block
-- @expect op=SELECT objects=posts unions=0 stmts=1
SELECT id FROM posts /* UNION SELECT * FROM pg_shadow */ WHERE id = 3

-- @case cmt_leading_line
-- @expect op=SELECT objects= functions= stmts=1
-- nightly check: SELECT pg_sleep(10); DROP TABLE x;
SELECT 1

-- @case cmt_leading_block
-- @expect op=SELECT stmts=1
/* report: weekly revenue; owner: finance */ SELECT sum(total) FROM orders WHERE placed_at > now() - interval '7 days'

-- @case cmt_inline_between
-- @expect op=SELECT objects=orders stmts=1
SELECT id, -- the key
       total /* incl. tax */
  FROM orders -- ; DELETE FROM orders
 WHERE id = 9

-- @case cmt_nested
-- @expect op=SELECT stmts=1 unions=0 objects=
SELECT 1 /* outer /* inner; UNION SELECT 2 */ still outer; */ + 1

-- @case cmt_nested_deep
-- @expect op=SELECT stmts=1
/* a /* b /* c */ b */ a */ SELECT 'ok'

-- @case cmt_trailing_semicolon
-- @expect stmts=1 op=SELECT
SELECT 1; -- trailing comment after the last statement

-- @case cmt_prose_apostrophe
-- @expect stmts=1 op=SELECT objects=users
SELECT id, email FROM users WHERE active -- don't list disabled accounts

-- @case cmt_after_literal_prose
-- @expect stmts=1 op=SELECT objects=users
SELECT id FROM users WHERE status = 'active' -- only active ones
ORDER BY id

-- @case dollar_plain
-- @expect op=SELECT stmts=1 objects= functions=
SELECT $$It's a dollar-quoted string; with semicolons; and 'quotes' -- and dashes$$

-- @case dollar_tagged_nested
-- @expect op=SELECT stmts=1
SELECT $outer$ nested $$ inside; $inner$ too $inner$ $outer$

-- @case dollar_sql_function
-- @expect op=CREATE classes=ddl stmts=1
CREATE FUNCTION add_one(integer) RETURNS integer AS $$ SELECT $1 + 1; $$ LANGUAGE SQL IMMUTABLE

-- @case dollar_plpgsql_trigger
-- @expect op=CREATE classes=ddl stmts=1
CREATE OR REPLACE FUNCTION audit_trigger() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO audit_log(tbl, op, at) VALUES (TG_TABLE_NAME, TG_OP, now());
  -- UNION SELECT 1; DROP TABLE audit_log; (a comment inside the body)
  RETURN NEW;
END;
$fn$;

-- @case dollar_vs_param
-- @expect op=SELECT objects=t stmts=1
SELECT $1::text || $tag$; not a param $1 $tag$ FROM t WHERE id = $2

-- @case dollar_in_identifier
-- @expect op=SELECT objects=ledger$2026 stmts=1
SELECT amount$eur FROM ledger$2026 WHERE id = $1

-- @case estring_escaped_quote
-- @expect op=SELECT objects=users stmts=1
SELECT * FROM users WHERE name = E'O\'Reilly'

-- @case estring_escapes
-- @expect op=SELECT stmts=1
SELECT E'line1\nline2\ttab \\ backslash \x41 \101 \u00e9'

-- @case estring_trap
-- @expect op=SELECT objects=users stmts=1
SELECT * FROM users WHERE name = E'\' OR 1=1 --'

-- @case estring_lower_e
-- @expect op=SELECT objects=users stmts=1
SELECT * FROM users WHERE name = e'it\'s; fine'

-- @case scs_off_backslash_quote
-- @expect opts=no_standard_conforming_strings op=SELECT objects=users stmts=1
SELECT * FROM users WHERE name = 'O\'Reilly'

-- @case scs_off_tautology_in_string
-- @expect opts=no_standard_conforming_strings op=SELECT objects=users stmts=1
SELECT * FROM users WHERE name = 'x\' OR 1=1 --'

-- @case scs_off_escapes
-- @expect opts=no_standard_conforming_strings op=SELECT stmts=1
SELECT 'tab\there', 'back\\slash'

-- @case ustring
-- @expect op=SELECT stmts=1
SELECT U&'d\0061t\+000061' AS data

-- @case ustring_uescape
-- @expect op=SELECT stmts=1
SELECT U&'d!0061t!+000061' UESCAPE '!'

-- @case uident
-- @expect op=SELECT objects=data stmts=1
SELECT * FROM U&"d\0061t\+000061"

-- @case string_continuation
-- @expect op=SELECT stmts=1
SELECT 'foo'
'bar' AS joined

-- @case bit_hex_strings
-- @expect op=SELECT stmts=1 functions=
SELECT B'1010', X'1FF', b'0', x'ab'

-- @case national_string
-- @expect op=SELECT stmts=1
SELECT N'national text'

-- @case doubled_quotes
-- @expect op=SELECT stmts=1 objects=
SELECT 'it''s', '''', ''''''

-- @case numbers
-- @expect op=SELECT stmts=1 functions=
SELECT 42, 3.5, .5, 5., 4.2e1, 1E-3, -7

-- @case quoted_keywords
-- @expect op=SELECT objects=from stmts=1
SELECT "select", "where" FROM "from" WHERE "order" = 1

-- @case quoted_with_quotes
-- @expect op=SELECT objects=we"ird stmts=1
SELECT "col ""quoted""" FROM "we""ird"

-- @case quoted_comment_chars
-- @expect op=SELECT objects=tab/*x*/le stmts=1
SELECT "col--name" FROM "tab/*x*/le"

-- @case quoted_semicolon
-- @expect op=SELECT objects=a;b stmts=1
SELECT "x;y" FROM "a;b"

-- @case quoted_mixed_case
-- @expect op=SELECT objects=public.MixedCase stmts=1
SELECT * FROM public."MixedCase"

-- @case unquoted_folded
-- @expect op=SELECT objects=public.mixedcase stmts=1
SELECT * FROM Public.MixedCase

-- @case quoted_space
-- @expect op=SELECT stmts=1
SELECT "Qty" FROM "my schema"."Order Lines"

-- @case three_part_name
-- @expect op=SELECT objects=public.users stmts=1
SELECT id FROM appdb.public.users

-- @case or_with_params
-- @expect op=SELECT objects=users
SELECT * FROM users WHERE email = $1 OR username = $1

-- @case or_optional_filter
-- @expect op=SELECT objects=products
SELECT * FROM products WHERE (category_id = $1 OR $1 IS NULL) AND (price <= $2 OR $2 IS NULL)

-- @case or_columns
-- @expect op=SELECT objects=t
SELECT id FROM t WHERE a = b OR c = d

-- @case or_null_or_false
-- @expect op=SELECT objects=t
SELECT * FROM t WHERE deleted = false OR deleted IS NULL

-- @case where_1_eq_1
-- @expect op=SELECT objects=t
SELECT * FROM t WHERE 1 = 1 AND owner_id = 4

-- @case where_true
-- @expect op=SELECT objects=t
SELECT * FROM t WHERE TRUE

-- @case or_quoted_names
-- @expect op=SELECT objects=users
SELECT * FROM users WHERE name = 'O''Reilly' OR name = 'D''Arcy'

-- @case semicolon_in_string
-- @expect stmts=1 op=SELECT
SELECT 'SELECT 1; DROP TABLE x'

-- @case semicolons_empty
-- @expect stmts=1 op=SELECT
;;SELECT 1;;

-- @case comment_markers_in_strings
-- @expect stmts=1 op=SELECT
SELECT '--not a comment', '/* nor this */', '#', '$$'

-- @case param_high
-- @expect stmts=1 op=SELECT objects=t
SELECT * FROM t WHERE x = $10 AND y = $11

-- @case cast_collate
-- @expect stmts=1 op=SELECT functions= objects=
SELECT 'a'::text COLLATE "C", 'b'::varchar(10), '{1,2}'::int[], '1 day'::interval

-- @case typed_literals
-- @expect stmts=1 op=SELECT functions= objects=
SELECT DATE '2026-11-22', TIMESTAMP '2026-11-22 10:00:00', INTERVAL '2 hours', TIME WITH TIME ZONE '10:00+01'

-- @case operators_json
-- @expect stmts=1 op=SELECT objects=customers functions=
SELECT data->>'email' AS email, data#>>'{address,city}' AS city, data->'tags'->0 FROM customers WHERE data @> '{"vip": true}' AND data ? 'phone'

-- @case operators_json_exists
-- @expect stmts=1 op=SELECT objects=docs
SELECT id FROM docs WHERE meta ?| array['draft', 'review'] OR meta ?& array['a','b']

-- @case operators_custom
-- @expect stmts=1 op=SELECT objects=places
SELECT id FROM places WHERE location <-> point(2.35, 48.85) < 0.1 ORDER BY location <-> point(2.35, 48.85)

-- @case operator_syntax
-- @expect stmts=1 op=SELECT objects=t functions=
SELECT a OPERATOR(pg_catalog.+) b FROM t

-- @case sqlcommenter_full
-- @expect stmts=1 op=SELECT objects=orders
SELECT * FROM orders WHERE id = $1 /*action='show',controller='orders',db_driver='psycopg2',framework='flask%3A3.0.0',route='/orders/%3Cint%3Aid%3E',traceparent='00-5bd66ef5095369c7b0d1f8f4bd33716a-c532cb4098ac3dd2-01'*/

-- @case sqlcommenter_before_semicolon
-- @expect stmts=1 op=UPDATE objects=orders where=yes
UPDATE orders SET status = 'shipped' WHERE id = $1 /*application='fulfilment',span='5f2b'*/;

-- @case marginalia_leading
-- @expect stmts=1 op=SELECT objects=orders
/*application:Shop,controller:orders,action:index*/ SELECT "orders".* FROM "orders" LIMIT 25

-- @case tabs_and_crlf
-- @expect stmts=1 op=SELECT objects=orders
SELECT	id,	total
FROM	orders
WHERE	id	=	1

-- @case keywords_lowercase_mixed
-- @expect stmts=1 op=SELECT objects=orders
sElEcT Id FrOm Orders wHeRe iD = 1

-- @case fp_users_base
-- @expect objects=users
SELECT * FROM users WHERE username = 'x'

-- @case fp_spacing_a
-- @expect op=SELECT objects=orders
SELECT id, total FROM orders WHERE customer_id = 42 AND status = 'paid'

-- @case fp_spacing_b
-- @expect same_fp=fp_spacing_a
select   id,total
  from orders   where customer_id=7 and status='shipped'  -- note

-- @case fp_other_column
-- @expect diff_fp=fp_spacing_a
SELECT id, total FROM orders WHERE customer_id = 42 AND state = 'paid'

-- @case fp_tautology_differs
-- @expect diff_fp=fp_spacing_a objects=orders
SELECT id, total FROM orders WHERE customer_id = 42 AND status = 'paid' AND NOT archived

-- @case norm_simple
-- @expect normalized=SELECT c FROM sbtest1 WHERE id = ?
select c from sbtest1 where id = 42

-- @case norm_comment_removed
-- @expect normalized=SELECT name FROM users WHERE email = ?
SELECT name /* pii */ FROM users WHERE email = 'a@example.com'

-- @case norm_params_kept
-- @expect normalized=SELECT abalance FROM pgbench_accounts WHERE aid = ?
SELECT abalance FROM pgbench_accounts WHERE aid = $1

-- @case norm_dollar_string
-- @expect normalized=SELECT ?
SELECT $$secret text$$

-- @case norm_estring
-- @expect normalized=SELECT ? FROM t
SELECT E'it\'s' FROM t
