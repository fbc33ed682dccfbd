-- Session and transaction control as drivers, poolers and applications send
-- it: BEGIN/COMMIT variants, savepoints, SET/RESET/SHOW, DISCARD, LISTEN and
-- NOTIFY, SQL-level PREPARE/EXECUTE/DEALLOCATE, cursors, advisory locks,
-- and several statements in one simple-query message.

-- @case tx_begin
-- @expect op=BEGIN stmts=1 classes= writes=no
BEGIN

-- @case tx_begin_isolation
-- @expect op=BEGIN
BEGIN ISOLATION LEVEL SERIALIZABLE

-- @case tx_start
-- @expect op=BEGIN
START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY

-- @case tx_begin_work
-- @expect op=BEGIN
BEGIN WORK

-- @case tx_commit
-- @expect op=COMMIT
COMMIT

-- @case tx_end
-- @expect op=COMMIT
END

-- @case tx_commit_chain
-- @expect op=COMMIT
COMMIT AND CHAIN

-- @case tx_rollback
-- @expect op=ROLLBACK
ROLLBACK

-- @case tx_abort
-- @expect op=ROLLBACK
ABORT

-- @case tx_savepoint
-- @expect op=SAVEPOINT
SAVEPOINT before_import

-- @case tx_rollback_to
-- @expect op=ROLLBACK
ROLLBACK TO SAVEPOINT before_import

-- @case tx_rollback_to_short
-- @expect op=ROLLBACK
ROLLBACK TO before_import

-- @case tx_release
-- @expect op=COMMIT
RELEASE SAVEPOINT before_import

-- @case tx_set_transaction
-- @expect op=SET
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE, NOT DEFERRABLE

-- @case tx_snapshot
-- @expect op=SET
SET TRANSACTION SNAPSHOT '00000003-0000001B-1'

-- @case tx_prepare_transaction
-- @expect stmts=1
PREPARE TRANSACTION 'txn-4711'

-- @case tx_commit_prepared
-- @expect stmts=1
COMMIT PREPARED 'txn-4711'

-- @case set_search_path
-- @expect op=SET classes=
SET search_path TO app, public

-- @case set_local
-- @expect op=SET classes=
SET LOCAL statement_timeout = '5s'

-- @case set_timezone
-- @expect op=SET
SET TIME ZONE 'Europe/Paris'

-- @case set_names
-- @expect op=SET
SET NAMES 'UTF8'

-- @case set_datestyle
-- @expect op=SET
SET datestyle = 'ISO, MDY'

-- @case set_custom_guc
-- @expect op=SET
SET app.tenant_id = '42'

-- @case set_config_function
-- @expect op=SELECT functions=set_config
SELECT set_config('app.tenant_id', '42', true)

-- @case set_extra_float_digits
-- @expect op=SET
SET extra_float_digits = 3

-- @case reset_one
-- @expect op=SET classes=
RESET statement_timeout

-- @case reset_all
-- @expect op=SET classes=
RESET ALL

-- @case show_one
-- @expect op=SELECT
SHOW transaction_isolation

-- @case show_timezone
-- @expect op=SELECT
SHOW TIME ZONE

-- @case discard_all
-- @expect stmts=1 classes= objects=
DISCARD ALL

-- @case pooler_reset
-- @expect stmts=2 classes=
RESET ALL; DISCARD PLANS

-- @case listen
-- @expect stmts=1 objects=
LISTEN order_events

-- @case notify
-- @expect stmts=1 objects=
NOTIFY order_events, '{"id": 42, "status": "paid"}'

-- @case pg_notify
-- @expect op=SELECT functions=pg_notify
SELECT pg_notify('order_events', '{"id": 43}')

-- @case unlisten
-- @expect stmts=1
UNLISTEN *

-- @case sql_prepare
-- @expect op=PREPARE stmts=1 body_op=SELECT body_classes=
PREPARE fetch_order (bigint) AS SELECT id, total FROM orders WHERE id = $1

-- @case sql_prepare_insert
-- @expect op=PREPARE body_op=INSERT
PREPARE add_event (text, jsonb) AS INSERT INTO events (kind, payload) VALUES ($1, $2)

-- @case sql_execute
-- @expect op=EXECUTE
EXECUTE fetch_order (42)

-- @case sql_deallocate
-- @expect op=DEALLOCATE
DEALLOCATE fetch_order

-- @case sql_deallocate_all
-- @expect op=DEALLOCATE
DEALLOCATE ALL

-- @case cursor_declare
-- @expect objects=orders
DECLARE order_cursor CURSOR WITH HOLD FOR SELECT id, total FROM orders WHERE placed_at > '2026-01-01'

-- @case cursor_fetch
-- @expect stmts=1 objects=
FETCH FORWARD 100 FROM order_cursor

-- @case cursor_close
-- @expect stmts=1
CLOSE order_cursor

-- @case advisory_xact
-- @expect op=SELECT functions=pg_advisory_xact_lock,hashtext
SELECT pg_advisory_xact_lock(hashtext('nightly-report'))

-- @case lock_table
-- @expect op=LOCK objects=ledger
LOCK TABLE ledger IN SHARE ROW EXCLUSIVE MODE

-- @case multi_tx_update
-- @expect stmts=3 ops=BEGIN,UPDATE,COMMIT objects=accounts
BEGIN; UPDATE accounts SET balance = balance + 10 WHERE id = 7; COMMIT;

-- @case multi_set_select
-- @expect stmts=2 ops=SET,SELECT objects=orders
SET search_path TO shop; SELECT count(*) FROM orders

-- @case multi_migration
-- @expect stmts=2 ops=CREATE classes=ddl objects=audit_log
CREATE TABLE audit_log (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), detail text);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- @case multi_inserts_literals
-- @expect stmts=2 ops=INSERT objects=tags,post_tags
INSERT INTO tags (name) VALUES ('x'); INSERT INTO post_tags (post_id, tag_id) VALUES (1, currval('tags_id_seq'))

-- @case multi_with_comments
-- @expect stmts=2 ops=SELECT
/* first */ SELECT 1; /* second */ SELECT 2 -- done

-- @case select_for_share
-- @expect op=SELECT objects=products
SELECT id FROM products WHERE id = 5 FOR SHARE

-- @case health_check
-- @expect op=SELECT stmts=1 objects= functions=
SELECT 1 AS ok

-- @case pgbouncer_style_check
-- @expect op=SELECT stmts=1
select 1

-- @case empty_statement_only_semicolon_then_select
-- @expect stmts=1 op=SELECT
; SELECT now()

-- @case vacuum_analyze_table
-- @expect classes=admin objects=orders
VACUUM (VERBOSE, ANALYZE) orders

-- @case analyze_table
-- @expect classes=admin objects=orders
ANALYZE orders

-- @case truncate_restart
-- @expect op=TRUNCATE classes=ddl objects=tmp_import,tmp_errors
TRUNCATE TABLE tmp_import, tmp_errors RESTART IDENTITY CASCADE

-- @case create_index_concurrently
-- @expect op=CREATE classes=ddl objects=orders functions=
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_idx ON orders (customer_id, placed_at DESC)

-- @case alter_add_column
-- @expect op=ALTER classes=ddl objects=orders functions=
ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text DEFAULT '' NOT NULL

-- @case alter_rename
-- @expect op=ALTER classes=ddl objects=orders
ALTER TABLE orders RENAME COLUMN note TO remark

-- @case drop_table_cascade
-- @expect op=DROP classes=ddl objects=public.tmp_import
DROP TABLE IF EXISTS public.tmp_import CASCADE

-- @case drop_view
-- @expect op=DROP classes=ddl objects=order_totals
DROP VIEW IF EXISTS order_totals

-- @case drop_index
-- @expect op=DROP classes=ddl
DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx

-- @case create_view_replace
-- @expect op=CREATE classes=ddl objects=active_users,users
CREATE OR REPLACE VIEW active_users AS SELECT id, email FROM users WHERE active

-- @case comment_on_table
-- @expect classes=ddl
COMMENT ON TABLE orders IS 'one row per checkout'

-- @case call_procedure
-- @expect op=CALL
CALL archive_orders(date '2026-01-01')
