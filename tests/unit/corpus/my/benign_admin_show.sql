-- Everyday session and introspection traffic on MySQL/MariaDB: SHOW and
-- DESCRIBE (read-only, operation SELECT), EXPLAIN, USE, SET, transactions,
-- stored procedure calls, SQL-level prepared statements, DO, utility
-- functions, and schema changes by migration tools.

-- @case mys_show_databases
-- @expect op=SELECT stmts=1 classes= objects=
SHOW DATABASES

-- @case mys_show_tables
-- @expect op=SELECT classes=
SHOW TABLES

-- @case mys_show_full_tables
-- @expect op=SELECT
SHOW FULL TABLES FROM shop WHERE Table_type = 'BASE TABLE'

-- @case mys_show_columns
-- @expect op=SELECT objects=users
SHOW COLUMNS FROM users

-- @case mys_show_columns_db
-- @expect op=SELECT objects=shop.users
SHOW COLUMNS FROM shop.users

-- @case mys_show_index
-- @expect op=SELECT objects=users
SHOW INDEX FROM users

-- @case mys_show_create
-- @expect op=SELECT objects=users
SHOW CREATE TABLE users

-- @case mys_show_table_status
-- @expect op=SELECT
SHOW TABLE STATUS LIKE 'users'

-- @case mys_show_variables
-- @expect op=SELECT classes=
SHOW VARIABLES LIKE 'max_connections'

-- @case mys_show_global_status
-- @expect op=SELECT
SHOW GLOBAL STATUS LIKE 'Threads_connected'

-- @case mys_show_processlist
-- @expect op=SELECT
SHOW PROCESSLIST

-- @case mys_show_engine
-- @expect op=SELECT
SHOW ENGINE INNODB STATUS

-- @case mys_show_warnings
-- @expect op=SELECT
SHOW WARNINGS

-- @case mys_show_collation
-- @expect op=SELECT
SHOW COLLATION WHERE Charset = 'utf8mb4'

-- @case mys_show_grants
-- @expect op=SELECT classes=
SHOW GRANTS

-- @case mys_show_grants_current
-- @expect op=SELECT classes=
SHOW GRANTS FOR CURRENT_USER()

-- @case mys_show_session_status
-- @expect op=SELECT
SHOW SESSION STATUS LIKE 'Com_select'

-- @case mys_show_replica_status
-- @expect op=SELECT
SHOW SLAVE STATUS

-- @case mys_show_charset
-- @expect op=SELECT
SHOW CHARACTER SET LIKE 'utf8%'

-- @case mys_describe
-- @expect op=SELECT objects=orders
DESCRIBE orders

-- @case mys_desc
-- @expect op=SELECT objects=orders
DESC orders

-- @case mys_describe_column
-- @expect op=SELECT objects=orders
DESCRIBE orders status

-- @case mys_explain
-- @expect op=SELECT objects=orders
EXPLAIN SELECT * FROM orders WHERE customer_id = 42

-- @case mys_explain_json
-- @expect op=SELECT objects=orders,customers joins=1
EXPLAIN FORMAT=JSON SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id

-- @case mys_explain_table
-- @expect op=SELECT objects=orders
EXPLAIN orders

-- @case mys_use
-- @expect op=USE classes=
USE shop

-- @case mys_set_autocommit
-- @expect op=SET classes=
SET autocommit=0

-- @case mys_set_names
-- @expect op=SET
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci

-- @case mys_set_results_null
-- @expect op=SET
SET character_set_results = NULL

-- @case mys_set_wait_timeout
-- @expect op=SET
SET SESSION wait_timeout = 28800

-- @case mys_set_tx_isolation
-- @expect op=SET
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE

-- @case mys_set_time_zone
-- @expect op=SET
SET time_zone = '+00:00'

-- @case mys_start_transaction
-- @expect op=BEGIN
START TRANSACTION

-- @case mys_start_read_only
-- @expect op=BEGIN
START TRANSACTION READ ONLY

-- @case mys_begin
-- @expect op=BEGIN
BEGIN

-- @case mys_commit
-- @expect op=COMMIT
COMMIT

-- @case mys_rollback
-- @expect op=ROLLBACK
ROLLBACK

-- @case mys_call
-- @expect op=CALL classes=
CALL get_orders(42)

-- @case mys_call_out
-- @expect op=CALL
CALL sp_report('2026-11', @total)

-- @case mys_call_no_parens
-- @expect op=CALL
CALL refresh_stats

-- @case mys_select_out
-- @expect op=SELECT
SELECT @total

-- @case mys_prepare_from_string
-- @expect op=PREPARE body_op=SELECT body_classes= body_unknown=no
PREPARE stmt1 FROM 'SELECT SQRT(POW(?,2) + POW(?,2)) AS hypotenuse'

-- @case mys_prepare_escaped_body
-- @expect op=PREPARE body_op=SELECT
PREPARE s2 FROM 'SELECT id FROM users WHERE name = \'x\' AND id = ?'

-- @case mys_execute
-- @expect op=EXECUTE
EXECUTE stmt1 USING @a, @b

-- @case mys_deallocate
-- @expect op=DEALLOCATE
DEALLOCATE PREPARE stmt1

-- @case mys_drop_prepare
-- @expect op=DEALLOCATE
DROP PREPARE stmt1

-- @case mys_do_release_lock
-- @expect classes= functions=release_lock
DO RELEASE_LOCK('cron')

-- @case mys_row_count
-- @expect op=SELECT functions=row_count
SELECT ROW_COUNT()

-- @case mys_connection_id
-- @expect op=SELECT functions=connection_id
SELECT CONNECTION_ID()

-- @case mys_now_uuid
-- @expect op=SELECT functions=now,uuid
SELECT NOW(), UUID()

-- @case mys_select_into_var
-- @expect op=SELECT classes= objects=orders functions=count
SELECT COUNT(*) INTO @cnt FROM orders

-- @case mys_dual
-- @expect op=SELECT objects= functions=
SELECT 1 FROM DUAL

-- @case mys_rename_table
-- @expect op=RENAME classes=ddl objects=orders,orders_old,orders_new
RENAME TABLE orders TO orders_old, orders_new TO orders

-- @case mys_alter_online
-- @expect op=ALTER classes=ddl objects=orders functions=
ALTER TABLE orders ADD COLUMN note VARCHAR(255) NULL, ADD INDEX idx_note (note(32)), ALGORITHM=INPLACE, LOCK=NONE

-- @case mys_create_index
-- @expect op=CREATE classes=ddl objects=orders
CREATE INDEX idx_orders_created ON orders (created_at)

-- @case mys_drop_index
-- @expect op=DROP classes=ddl objects=orders
DROP INDEX idx_orders_created ON orders

-- @case mys_create_temporary
-- @expect op=CREATE classes=ddl objects=tmp_ids
CREATE TEMPORARY TABLE tmp_ids (id INT PRIMARY KEY)

-- @case mys_create_like
-- @expect op=CREATE classes=ddl objects=orders_copy,orders
CREATE TABLE orders_copy LIKE orders

-- @case mys_create_select
-- @expect op=CREATE classes=ddl objects=order_summary,orders
CREATE TABLE order_summary AS SELECT customer_id, SUM(total) AS total FROM orders GROUP BY customer_id

-- @case mys_truncate
-- @expect op=TRUNCATE classes=ddl objects=tmp_ids
TRUNCATE tmp_ids

-- @case mys_gh_ost_ghost
-- @expect op=CREATE classes=ddl objects=shop._orders_gho,shop.orders
create /* gh-ost */ table `shop`.`_orders_gho` like `shop`.`orders`

-- @case mys_pt_osc_trigger
-- @expect op=CREATE classes=ddl stmts=1
CREATE TRIGGER `pt_osc_shop_orders_ins` AFTER INSERT ON `shop`.`orders` FOR EACH ROW REPLACE INTO `shop`.`_orders_new` (`id`, `total`) VALUES (NEW.`id`, NEW.`total`)

-- @case mys_analyze
-- @expect classes=admin objects=orders
ANALYZE TABLE orders

-- @case mys_checksum
-- @expect objects=orders
CHECKSUM TABLE orders

-- @case mys_handler_read
-- @expect objects=orders
HANDLER orders OPEN

-- @case mys_table_statement
-- @expect op=SELECT objects=orders
TABLE orders

-- @case mys_values_statement
-- @expect op=SELECT objects=
VALUES ROW(1, 'a'), ROW(2, 'b')

-- @case mys_with_cte
-- @expect op=SELECT objects=employees unions=1
WITH RECURSIVE chain AS (SELECT id, manager_id FROM employees WHERE id = 7 UNION ALL SELECT e.id, e.manager_id FROM employees e JOIN chain c ON e.id = c.manager_id) SELECT * FROM chain

-- @case mys_window
-- @expect op=SELECT objects=orders functions=row_number
SELECT id, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY created_at DESC) AS rn FROM orders

-- @case mys_xa
-- @expect stmts=1
XA START 'txn1'

-- @case mys_kill_own_query
-- @expect classes=admin
KILL QUERY 123456
