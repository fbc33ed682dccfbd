-- Application SQL beyond the ORM basics: CTEs (recursive, data-modifying),
-- window functions, LATERAL, MERGE, grouping sets, set operations, arrays,
-- JSON functions, upserts, UPDATE ... FROM, DELETE ... USING, row locking,
-- VALUES lists and table functions in FROM (functions, not tables).

-- @case cte_recursive
-- @expect op=SELECT objects=employees unions=1 joins=1 functions=
WITH RECURSIVE subordinates AS (
  SELECT id, manager_id, name FROM employees WHERE id = 7
  UNION ALL
  SELECT e.id, e.manager_id, e.name FROM employees e INNER JOIN subordinates s ON s.id = e.manager_id
) SELECT * FROM subordinates

-- @case cte_two
-- @expect op=SELECT objects=orders functions=sum
WITH regional_sales AS (
    SELECT region, SUM(amount) AS total_sales
    FROM orders
    GROUP BY region
), top_regions AS (
    SELECT region
    FROM regional_sales
    WHERE total_sales > (SELECT SUM(total_sales)/10 FROM regional_sales)
)
SELECT region,
       product,
       SUM(quantity) AS product_units,
       SUM(amount) AS product_sales
FROM orders
WHERE region IN (SELECT region FROM top_regions)
GROUP BY region, product

-- @case cte_materialized
-- @expect op=SELECT objects=events functions=count,now
WITH recent AS MATERIALIZED (SELECT * FROM events WHERE occurred_at > now() - interval '1 day') SELECT kind, count(*) FROM recent GROUP BY kind

-- @case cte_delete_insert
-- @expect op=INSERT objects=job_queue,job_archive writes=yes functions=now
WITH moved AS (DELETE FROM job_queue WHERE run_at < now() RETURNING *) INSERT INTO job_archive SELECT * FROM moved

-- @case cte_update_select
-- @expect op=SELECT objects=accounts writes=yes
WITH debited AS (UPDATE accounts SET balance = balance - 100 WHERE id = 1 RETURNING id, balance) SELECT * FROM debited

-- @case cte_insert_returning_join
-- @expect op=INSERT objects=orders,order_events writes=yes
WITH new_order AS (INSERT INTO orders (customer_id, total) VALUES (7, 19.90) RETURNING id)
INSERT INTO order_events (order_id, kind) SELECT id, 'created' FROM new_order

-- @case cte_shadowing_name
-- @expect op=SELECT objects=archive.orders
WITH orders AS (SELECT * FROM archive.orders WHERE year = 2025) SELECT count(*) FROM orders

-- @case window_avg
-- @expect op=SELECT objects=empsalary functions=avg
SELECT depname, empno, salary, avg(salary) OVER (PARTITION BY depname) FROM empsalary

-- @case window_named
-- @expect op=SELECT objects=sales functions=sum,lag
SELECT product_id, ts, amount, SUM(amount) OVER w AS running, lag(amount) OVER w AS previous FROM sales WINDOW w AS (PARTITION BY product_id ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)

-- @case window_row_number_page
-- @expect op=SELECT objects=posts functions=row_number subquery_depth=1
SELECT * FROM (SELECT p.*, row_number() OVER (PARTITION BY p.author_id ORDER BY p.created_at DESC) AS rn FROM posts p) ranked WHERE rn <= 3

-- @case lateral_top3
-- @expect op=SELECT objects=users,posts joins=1 subquery_depth=1
SELECT u.id, recent.title FROM users u CROSS JOIN LATERAL (SELECT p.title FROM posts p WHERE p.user_id = u.id ORDER BY p.created_at DESC LIMIT 3) AS recent

-- @case lateral_left
-- @expect op=SELECT objects=customers,orders joins=1
SELECT c.id, o.last_total FROM customers c LEFT JOIN LATERAL (SELECT total AS last_total FROM orders WHERE customer_id = c.id ORDER BY placed_at DESC LIMIT 1) o ON true

-- @case merge_basic
-- @expect op=MERGE objects=inventory,incoming writes=yes
MERGE INTO inventory AS i USING incoming AS n ON i.sku = n.sku WHEN MATCHED THEN UPDATE SET qty = i.qty + n.qty WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (n.sku, n.qty)

-- @case merge_delete
-- @expect op=MERGE objects=customer_account,recent_transactions writes=yes
MERGE INTO customer_account ca
USING recent_transactions t
ON t.customer_id = ca.customer_id
WHEN MATCHED AND ca.balance + t.transaction_value = 0 THEN
  DELETE
WHEN MATCHED THEN
  UPDATE SET balance = balance + transaction_value
WHEN NOT MATCHED THEN
  INSERT (customer_id, balance) VALUES (t.customer_id, t.transaction_value)

-- @case grouping_sets
-- @expect op=SELECT objects=items_sold functions=sum
SELECT brand, size, sum(sales) FROM items_sold GROUP BY GROUPING SETS ((brand), (size), ())

-- @case rollup
-- @expect op=SELECT objects=items_sold functions=sum
SELECT brand, size, sum(sales) FROM items_sold GROUP BY ROLLUP (brand, size)

-- @case distinct_on
-- @expect op=SELECT objects=orders functions=
SELECT DISTINCT ON (customer_id) customer_id, id, placed_at FROM orders ORDER BY customer_id, placed_at DESC

-- @case upsert_counter
-- @expect op=INSERT objects=counters writes=yes
INSERT INTO counters (key, value) VALUES ('visits', 1) ON CONFLICT (key) DO UPDATE SET value = counters.value + EXCLUDED.value

-- @case upsert_constraint
-- @expect op=INSERT objects=user_settings writes=yes
INSERT INTO user_settings (user_id, settings) VALUES ($1, $2) ON CONFLICT ON CONSTRAINT user_settings_pkey DO NOTHING

-- @case upsert_where
-- @expect op=INSERT objects=prices writes=yes
INSERT INTO prices AS p (sku, amount, updated_at) VALUES ('A1', 9.99, now()) ON CONFLICT (sku) DO UPDATE SET amount = EXCLUDED.amount, updated_at = EXCLUDED.updated_at WHERE p.updated_at < EXCLUDED.updated_at

-- @case update_returning
-- @expect op=UPDATE objects=accounts where=yes writes=yes
UPDATE accounts SET balance = balance - 100 WHERE id = 1 RETURNING balance

-- @case update_from
-- @expect op=UPDATE objects=orders,shipments where=yes
UPDATE orders o SET status = 'shipped' FROM shipments s WHERE s.order_id = o.id AND s.sent_at IS NOT NULL

-- @case update_no_where
-- @expect op=UPDATE objects=settings where=no
UPDATE settings SET value = 'off'

-- @case update_where_only_in_subquery
-- @expect op=UPDATE objects=products,price_changes where=no subquery_depth=1
UPDATE products SET price = (SELECT max(new_price) FROM price_changes WHERE price_changes.product_id = products.id)

-- @case delete_using
-- @expect op=DELETE objects=sessions,users where=yes
DELETE FROM sessions s USING users u WHERE s.user_id = u.id AND u.disabled

-- @case delete_all
-- @expect op=DELETE objects=tmp_import where=no writes=yes
DELETE FROM tmp_import

-- @case delete_current_of
-- @expect op=DELETE objects=invoices where=yes
DELETE FROM invoices WHERE CURRENT OF invoice_cursor

-- @case skip_locked
-- @expect op=SELECT objects=jobs
SELECT * FROM jobs WHERE status = 'queued' ORDER BY priority DESC, id LIMIT 10 FOR UPDATE SKIP LOCKED

-- @case only_table
-- @expect op=SELECT objects=measurements
SELECT * FROM ONLY measurements WHERE logdate >= DATE '2026-01-01'

-- @case table_statement
-- @expect op=SELECT objects=users stmts=1
TABLE users

-- @case values_statement
-- @expect op=SELECT objects= stmts=1
VALUES (1, 'one'), (2, 'two'), (3, 'three')

-- @case values_in_from
-- @expect op=SELECT objects= functions=
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)

-- @case values_join
-- @expect op=SELECT objects=orders joins=1
SELECT o.id, v.label FROM orders o JOIN (VALUES ('paid', 'Paid'), ('shipped', 'On its way')) AS v(status, label) ON v.status = o.status

-- @case intersect
-- @expect op=SELECT objects=t1,t2 unions=1
SELECT x FROM t1 INTERSECT SELECT x FROM t2

-- @case except_all
-- @expect op=SELECT objects=t1,t2 unions=1
SELECT x FROM t1 EXCEPT ALL SELECT x FROM t2

-- @case union_three
-- @expect op=SELECT objects=a,b,c unions=2
SELECT id FROM a UNION SELECT id FROM b UNION ALL SELECT id FROM c

-- @case union_parenthesized
-- @expect op=SELECT objects=t1,t2 unions=1
(SELECT a FROM t1 ORDER BY a LIMIT 1) UNION ALL (SELECT a FROM t2 ORDER BY a LIMIT 1)

-- @case natural_join
-- @expect op=SELECT objects=a,b joins=1
SELECT * FROM a NATURAL JOIN b

-- @case using_joins
-- @expect op=SELECT objects=a,b,c joins=2 functions=
SELECT * FROM a JOIN b USING (id) FULL OUTER JOIN c USING (id)

-- @case comma_joins
-- @expect op=SELECT objects=a,b,c joins=2
SELECT * FROM a, b, c WHERE a.id = b.a_id AND b.id = c.b_id

-- @case many_joins
-- @expect op=SELECT objects=orders,customers,addresses,order_items,products,categories joins=5
SELECT o.id FROM orders o
JOIN customers c ON c.id = o.customer_id
LEFT JOIN addresses a ON a.id = o.shipping_address_id
JOIN order_items i ON i.order_id = o.id
JOIN products p ON p.id = i.product_id
LEFT OUTER JOIN categories cat ON cat.id = p.category_id
WHERE o.id = 5

-- @case subquery_nested
-- @expect op=SELECT objects=users,orders,order_items subquery_depth=2
SELECT id FROM users WHERE id IN (SELECT customer_id FROM orders WHERE id IN (SELECT order_id FROM order_items WHERE product_id = 9))

-- @case subquery_scalar_select_list
-- @expect op=SELECT objects=users,orders functions=count subquery_depth=1
SELECT u.id, (SELECT count(*) FROM orders o WHERE o.customer_id = u.id) AS n FROM users u

-- @case not_in_list
-- @expect op=SELECT objects=orders max_in_list=4
SELECT id FROM orders WHERE status NOT IN ('cancelled', 'refunded', 'failed', 'draft')

-- @case in_list_two
-- @expect op=SELECT objects=orders max_in_list=5
SELECT id FROM orders WHERE status IN ('a', 'b') AND customer_id IN (1, 2, 3, 4, 5)

-- @case any_array
-- @expect op=SELECT objects=articles functions= max_in_list=0
SELECT id FROM articles WHERE 'postgres' = ANY(tags) AND id = ANY('{1,2,3}'::int[])

-- @case array_overlap
-- @expect op=SELECT objects=articles functions=
SELECT id, tags FROM articles WHERE tags && ARRAY['postgres', 'sql']::text[]

-- @case array_subquery
-- @expect op=SELECT objects=users functions= subquery_depth=1
SELECT ARRAY(SELECT id FROM users WHERE active) AS ids

-- @case json_agg
-- @expect op=SELECT objects=users functions=jsonb_agg subquery_depth=1
SELECT jsonb_agg(t) FROM (SELECT id, name FROM users LIMIT 5) t

-- @case json_build
-- @expect op=SELECT objects=orders functions=json_build_object,to_char
SELECT json_build_object('id', id, 'total', total, 'day', to_char(placed_at, 'YYYY-MM-DD')) FROM orders WHERE id = 3

-- @case json_to_recordset
-- @expect op=SELECT objects= functions=json_to_recordset
SELECT * FROM json_to_recordset('[{"a":1,"b":"x"},{"a":2,"b":"y"}]') AS x(a int, b text)

-- @case jsonb_path
-- @expect op=SELECT objects=events functions=jsonb_path_query
SELECT jsonb_path_query(payload, '$.items[*] ? (@.price > 10)') FROM events

-- @case unnest_split
-- @expect op=SELECT objects=imports functions=unnest,string_to_array
SELECT id, unnest(string_to_array(csv, ',')) FROM imports

-- @case unnest_param
-- @expect op=SELECT objects=users functions=unnest joins=1
SELECT u.* FROM users u JOIN unnest($1::int[]) WITH ORDINALITY AS x(id, ord) ON u.id = x.id ORDER BY x.ord

-- @case generate_series_dates
-- @expect op=SELECT objects= functions=generate_series
SELECT * FROM generate_series('2026-01-01'::date, '2026-01-31'::date, '1 day'::interval) AS d(day)

-- @case filter_clause
-- @expect op=SELECT objects=orders functions=date_trunc,count
SELECT date_trunc('month', placed_at) AS month, count(*) FILTER (WHERE status = 'paid') AS paid FROM orders GROUP BY 1 ORDER BY 1

-- @case within_group
-- @expect op=SELECT objects=requests functions=percentile_cont,now
SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FROM requests WHERE created_at > now() - interval '1 hour'

-- @case string_agg_order
-- @expect op=SELECT objects=tags functions=string_agg
SELECT post_id, string_agg(name, ', ' ORDER BY name) FROM tags GROUP BY post_id

-- @case at_time_zone
-- @expect op=SELECT objects=events
SELECT id FROM events WHERE occurred_at AT TIME ZONE 'Europe/Paris' > $1

-- @case similar_to
-- @expect op=SELECT objects=t
SELECT id FROM t WHERE name SIMILAR TO '%(b|d)%'

-- @case is_distinct
-- @expect op=SELECT objects=t
SELECT * FROM t WHERE a IS DISTINCT FROM b

-- @case sequences
-- @expect op=SELECT functions=nextval,currval objects=
SELECT nextval('orders_id_seq'), currval('orders_id_seq')

-- @case setval_subquery
-- @expect op=SELECT functions=setval,max objects=orders subquery_depth=1
SELECT setval('orders_id_seq', (SELECT max(id) FROM orders))

-- @case serial_sequence
-- @expect op=SELECT functions=currval,pg_get_serial_sequence objects=
SELECT currval(pg_get_serial_sequence('orders', 'id'))

-- @case select_into_temp
-- @expect objects=recent_orders,orders writes=yes
SELECT * INTO TEMP recent_orders FROM orders WHERE placed_at > now() - interval '1 day'

-- @case create_table_as
-- @expect op=CREATE classes=ddl objects=order_summary,orders
CREATE TABLE order_summary AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id

-- @case create_temp_table
-- @expect op=CREATE classes=ddl objects=tmp_ids
CREATE TEMP TABLE tmp_ids (id bigint PRIMARY KEY) ON COMMIT DROP

-- @case tablesample
-- @expect op=SELECT objects=big_table
SELECT * FROM big_table TABLESAMPLE SYSTEM (1) REPEATABLE (42)

-- @case case_expression
-- @expect op=SELECT objects=orders functions=
SELECT id, CASE WHEN total > 100 THEN 'large' WHEN total > 10 THEN 'medium' ELSE 'small' END AS size FROM orders

-- @case exists_not_exists
-- @expect op=SELECT objects=customers,orders,refunds subquery_depth=1 functions=
SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.customer_id = c.id)

-- @case fetch_first
-- @expect op=SELECT objects=orders
SELECT id FROM orders ORDER BY placed_at DESC FETCH FIRST 10 ROWS ONLY

-- @case explain
-- @expect op=SELECT objects=orders
EXPLAIN SELECT * FROM orders WHERE customer_id = 42

-- @case explain_options
-- @expect objects=orders
EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM orders WHERE customer_id = 42

-- @case fulltext_rank
-- @expect op=SELECT objects=articles functions=ts_rank,to_tsvector,websearch_to_tsquery
SELECT id, ts_rank(to_tsvector('english', body), websearch_to_tsquery('english', '"drop table" or union -select')) AS rank FROM articles ORDER BY rank DESC LIMIT 10
