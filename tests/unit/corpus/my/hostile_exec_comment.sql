-- Executable comments used to smuggle code past filters that treat
-- /* ... */ as inert: MySQL runs /*! ... */ and /*!NNNNN ... */ (and MariaDB
-- /*M! ... */) as part of the statement, so whatever is inside counts:
-- UNIONs, tautologies, statement separators, sleeps, DDL. Plus comment
-- tricks that only work because MySQL does not nest comments.

-- @case myx_union_bang
-- @expect objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT id FROM products WHERE id = 1 /*!UNION*/ /*!SELECT*/ user, authentication_string FROM mysql.user

-- @case myx_union_versioned
-- @expect objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT id FROM products WHERE id = 1 /*!50000UNION*/ /*!50000SELECT*/ 1,2 FROM mysql.user

-- @case myx_union_whole
-- @expect objects=products,information_schema.tables unions=1 inj_has=union_catalog
SELECT id FROM products WHERE id = 1 /*!50000UNION SELECT*/ table_name FROM information_schema.tables

-- @case myx_union_all_inside
-- @expect objects=products,information_schema.schemata unions=1 inj_has=union_catalog
SELECT name FROM products WHERE id = -1 /*!12345UNION ALL SELECT schema_name FROM information_schema.schemata*/

-- @case myx_union_mixed_case
-- @expect objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT id FROM products WHERE id = 1 /*!UnIoN*/ /*!SeLeCt*/ host FROM mysql.user

-- @case myx_or_bang
-- @expect objects=products inj_has=tautology
SELECT id FROM products WHERE id = 1 /*!OR*/ 1=1

-- @case myx_or_versioned_whole
-- @expect objects=products inj_has=tautology
SELECT id FROM products WHERE id = 1 /*!50000OR 1=1*/

-- @case myx_or_mariadb
-- @expect objects=products inj_has=tautology
SELECT id FROM products WHERE id = 1 /*M!100000 OR 1=1 */

-- @case myx_stacked_inside
-- @expect stmts=2 classes=ddl objects=users
SELECT 1 /*!; DROP TABLE users */

-- @case myx_stacked_versioned
-- @expect stmts=2 classes=ddl objects=users
SELECT 1 /*!50000; DROP TABLE users*/

-- @case myx_drop_keyword
-- @expect op=DROP classes=ddl objects=users
/*!50000DROP*/ TABLE users

-- @case myx_grant_hidden
-- @expect op=GRANT classes=grant
/*!GRANT*/ ALL ON *.* TO 'mallory'@'%'

-- @case myx_sleep_bang
-- @expect objects=users functions=sleep inj_has=time_probe
SELECT * FROM users WHERE id = 1 AND /*!SLEEP*/(5)

-- @case myx_sleep_mariadb
-- @expect op=SELECT functions=sleep
/*M!100000 SELECT SLEEP(5) */

-- @case myx_benchmark_hidden
-- @expect objects=users functions=benchmark,sha1 inj_has=time_probe
SELECT * FROM users WHERE id = 1 AND /*!50000BENCHMARK*/(10000000, SHA1('x'))

-- @case myx_outfile_hidden
-- @expect op=SELECT classes=outfile objects=users
SELECT * FROM users /*!INTO OUTFILE '/tmp/u.csv'*/

-- @case myx_load_file_hidden
-- @expect op=SELECT functions=load_file
SELECT /*!LOAD_FILE*/('/etc/passwd')

-- @case myx_catalog_name_split
-- @expect op=SELECT objects=mysql.user
SELECT * FROM /*!mysql*/./*!user*/

-- @case myx_space_in_version
-- @expect op=SELECT objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT id FROM products WHERE id = 1 /*!50000 UNION SELECT user FROM mysql.user */

-- @case myx_unterminated
-- @expect status=unparseable
SELECT id FROM products WHERE id = 1 /*!UNION SELECT user FROM mysql.user

-- @case myx_no_nesting_reveals
-- @expect objects=mysql.user unions=1 inj_has=union_catalog
SELECT 1 /* /* */ UNION SELECT authentication_string FROM mysql.user */

-- @case myx_no_nesting_union
-- @expect objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT name FROM products WHERE id = -1 /* /* */ UNION SELECT authentication_string FROM mysql.user

-- @case myx_comment_in_keyword_gap
-- @expect objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT name FROM products WHERE id = -1/**/UNION/**/SELECT/**/authentication_string/**/FROM/**/mysql.user

-- @case myx_hash_newline
-- @expect objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT name FROM products WHERE id = -1 #
UNION SELECT authentication_string FROM mysql.user

-- @case myx_dash_newline
-- @expect objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT name FROM products WHERE id = -1 -- x
UNION SELECT authentication_string FROM mysql.user

-- @case myx_ansi_off_double_quotes
-- @expect objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT name FROM products WHERE name = "" UNION SELECT authentication_string FROM mysql.user WHERE "" = ""

-- @case myx_ansi_on_double_quotes
-- @expect opts=ansi_quotes objects=products,mysql.user unions=1 inj_has=union_catalog
SELECT name FROM products WHERE "name" = '' UNION SELECT authentication_string FROM "mysql"."user"
