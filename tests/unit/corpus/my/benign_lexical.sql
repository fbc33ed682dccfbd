-- MySQL lexical corners that look dangerous and are not: backticked
-- keywords, strings with keywords, quotes, comment markers and semicolons,
-- backslash escapes, "double-quoted strings" (without ANSI_QUOTES), charset
-- introducers, hex and bit literals, # and "-- " comments (and "--" that is
-- not a comment), user variables, JSON paths, and executable comments that
-- are harmless options.

-- @case myl_backtick_keywords
-- @expect op=SELECT objects=order stmts=1
SELECT `select`, `from` FROM `order` WHERE `where` = 1

-- @case myl_backtick_doubled
-- @expect op=SELECT objects=t`x stmts=1
SELECT `weird``name` FROM `t``x`

-- @case myl_string_or
-- @expect op=SELECT objects=posts stmts=1
SELECT * FROM posts WHERE title = 'It\'s OR 1=1'

-- @case myl_double_quoted_string
-- @expect op=SELECT objects=posts stmts=1
SELECT * FROM posts WHERE title = "double quoted OR 1=1 string"

-- @case myl_double_quoted_with_single
-- @expect op=SELECT objects=posts stmts=1
SELECT * FROM posts WHERE title = "O'Reilly's ' OR '1'='1"

-- @case myl_escaped_double_in_double
-- @expect op=SELECT objects=posts stmts=1
SELECT * FROM posts WHERE body = "say \"hi\"; DROP TABLE posts; -- "

-- @case myl_doubled_single
-- @expect op=SELECT objects=posts stmts=1
SELECT * FROM posts WHERE title = 'It''s; -- fine'

-- @case myl_backslash_backslash
-- @expect op=SELECT objects=files stmts=1
SELECT * FROM files WHERE path = 'C:\\temp\\' AND name = 'x'

-- @case myl_adjacent_strings
-- @expect op=SELECT stmts=1 objects=
SELECT 'a' 'b' "c"

-- @case myl_introducer
-- @expect op=SELECT stmts=1 functions=
SELECT _utf8mb4'text' COLLATE utf8mb4_bin, _binary'raw', N'national'

-- @case myl_hex_bit
-- @expect op=SELECT stmts=1 functions=
SELECT X'4D7953514C', 0x4D7953514C, b'1010', 0b1010, x'ff'

-- @case myl_hash_comment
-- @expect op=SELECT stmts=1
SELECT 1 # trailing hash comment; DROP TABLE t

-- @case myl_dash_comment
-- @expect op=SELECT stmts=1
SELECT 1 -- dash comment with space; DROP TABLE t

-- @case myl_dash_not_comment
-- @expect op=SELECT stmts=1 objects=
SELECT 1--1

-- @case myl_block_comment
-- @expect op=SELECT stmts=1 unions=0 objects=
SELECT 1 /* block comment with UNION SELECT * FROM mysql.user */

-- @case myl_comment_markers_in_strings
-- @expect op=SELECT stmts=1
SELECT 'a#b', "c--d", 'e/*f*/', '-- x', "# y"

-- @case myl_like_escape
-- @expect op=SELECT objects=t
SELECT * FROM t WHERE name LIKE 'a\_b%' ESCAPE '\\'

-- @case myl_json_arrow
-- @expect op=SELECT objects=t functions=
SELECT id FROM t WHERE json_col->'$.name' = 'x'

-- @case myl_json_unquote_arrow
-- @expect op=SELECT objects=t functions=
SELECT json_col->>'$.tags[0]' FROM t

-- @case myl_user_vars
-- @expect op=SELECT objects=players
SELECT @rownum := @rownum + 1 AS rank, name FROM players, (SELECT @rownum := 0) r ORDER BY score DESC

-- @case myl_system_vars
-- @expect op=SELECT objects= functions=
SELECT @@version, @@session.autocommit, @@GLOBAL.max_connections

-- @case myl_set_user_var
-- @expect op=SET
SET @x = 'it''s', @y := 2

-- @case myl_quoted_user_var
-- @expect op=SELECT
SELECT @`my var`, @'other var', @"third"

-- @case myl_null_safe
-- @expect op=SELECT objects=t
SELECT * FROM t WHERE a <=> NULL OR b <=> c

-- @case myl_or_pipes_columns
-- @expect op=SELECT objects=t
SELECT * FROM t WHERE a = 1 || b = 2

-- @case myl_and_ampersands
-- @expect op=SELECT objects=t
SELECT * FROM t WHERE a = 1 && b = 2

-- @case myl_concat_literals
-- @expect op=SELECT functions=concat objects=
SELECT CONCAT('OR ', "1=1", ' UNION SELECT ', '-- ')

-- @case myl_exec_no_cache
-- @expect op=SELECT objects=t functions=
SELECT /*!40001 SQL_NO_CACHE */ * FROM t

-- @case myl_exec_straight_join
-- @expect op=SELECT objects=a,b joins=1
SELECT /*!50000 STRAIGHT_JOIN */ a.id FROM a JOIN b ON b.a_id = a.id

-- @case myl_exec_engine
-- @expect op=CREATE classes=ddl objects=t
CREATE TABLE t (id INT PRIMARY KEY) /*!50100 ENGINE=InnoDB */ /*!40101 DEFAULT CHARSET=utf8mb4 */

-- @case myl_exec_mariadb
-- @expect op=SET
/*M!100100 SET @@session.max_statement_time = 5 */

-- @case myl_exec_no_version
-- @expect op=SELECT objects=t
SELECT /*! HIGH_PRIORITY */ id FROM t

-- @case myl_exec_future_version
-- @expect op=SELECT stmts=1
SELECT 1 /*!99999 , 2 */

-- @case myl_optimizer_hint
-- @expect op=SELECT objects=t1,t2 joins=1
SELECT /*+ BKA(t1) NO_BKA(t2) */ * FROM t1 INNER JOIN t2 ON t1.id = t2.id

-- @case myl_ansi_quotes_ident
-- @expect opts=ansi_quotes op=SELECT objects=users functions=
SELECT "id", "email" FROM "users" WHERE "name" = 'x'

-- @case myl_ansi_quotes_or
-- @expect opts=ansi_quotes op=SELECT objects=users
SELECT "id" FROM "users" WHERE "name" = 'a' OR "nick" = 'a'

-- @case myl_no_backslash_escapes
-- @expect opts=no_backslash_escapes op=SELECT objects=files stmts=1
SELECT * FROM files WHERE path = 'C:\new\' AND size > 0

-- @case myl_no_backslash_trap
-- @expect opts=no_backslash_escapes op=SELECT objects=users stmts=1
SELECT * FROM users WHERE name = 'x\' OR name = ''

-- @case myl_backslash_keeps_string
-- @expect op=SELECT objects=users stmts=1
SELECT * FROM users WHERE name = 'x\' OR 1=1 -- '

-- @case myl_number_forms
-- @expect op=SELECT functions= objects=
SELECT 1, -2, 3.5, .5, 1e10, 2E-3, 0x1F, 0b11

-- @case myl_date_literals
-- @expect op=SELECT functions= objects=
SELECT DATE '2026-11-22', TIMESTAMP '2026-11-22 10:00:00', TIME '10:00'

-- @case myl_interval
-- @expect op=SELECT functions=date_add,now
SELECT DATE_ADD(NOW(), INTERVAL 1 DAY)

-- @case myl_semicolon_in_string
-- @expect stmts=1 op=INSERT objects=notes
INSERT INTO notes (body) VALUES ('first; second; DROP TABLE notes;')

-- @case myl_trailing_semicolon
-- @expect stmts=1 op=SELECT
SELECT 1;

-- @case myl_multi_statement
-- @expect stmts=2 ops=SET,SELECT objects=orders
SET @cutoff = '2026-01-01'; SELECT id FROM orders WHERE created < @cutoff

-- @case myl_mixed_case_keywords
-- @expect op=SELECT objects=orders
SeLeCt id FrOm Orders WhErE id = 1

-- @case myl_backtick_db_table
-- @expect op=SELECT objects=my-db.order-items
SELECT * FROM `my-db`.`order-items`

-- @case myl_dollar_in_name
-- @expect op=SELECT objects=ledger$2026
SELECT amount FROM ledger$2026

-- @case myl_users_base
-- @expect objects=users
SELECT * FROM users WHERE username = 'bob'

-- @case myl_fp_a
-- @expect op=SELECT objects=orders
SELECT id, total FROM orders WHERE customer_id = 42 AND status = 'paid'

-- @case myl_fp_b
-- @expect same_fp=myl_fp_a
select id,   total from orders where customer_id=7 and status="shipped" # note

-- @case myl_fp_c
-- @expect diff_fp=myl_fp_a
SELECT id, total FROM orders WHERE customer_id = 42 AND state = 'paid'

-- @case myl_fp_in_list_a
-- @expect max_in_list=3 objects=orders
SELECT id FROM orders WHERE id IN (1, 2, 3)

-- @case myl_fp_in_list_b
-- @expect max_in_list=6 same_fp=myl_fp_in_list_a
SELECT id FROM orders WHERE id IN (10, 20, 30, 40, 50, 60)

-- @case myl_norm_simple
-- @expect normalized=SELECT c FROM sbtest1 WHERE id = ?
select c from sbtest1 where id = 42

-- @case myl_norm_double_quoted
-- @expect normalized=SELECT id FROM users WHERE name = ?
SELECT id FROM users WHERE name = "alice"

-- @case myl_norm_backslash
-- @expect normalized=SELECT id FROM users WHERE name = ?
SELECT id FROM users WHERE name = 'o\'brien'
