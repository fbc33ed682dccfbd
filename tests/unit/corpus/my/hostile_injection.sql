-- Injected conditions and statements as they reach MySQL: tautologies (with
-- MySQL's own spellings: OR 1, ||, XOR, backslash tricks), comment truncation
-- with "-- -" and "#", stacked queries, time-based blind probes (SLEEP,
-- BENCHMARK, IF, heavy queries) and error-based extraction (EXTRACTVALUE,
-- UPDATEXML, duplicate-key GROUP BY). `caught=no` marks what the heuristics
-- do not see (listed in docs/sql-corpus.md).

-- @case myi_update_tautology
-- @expect op=UPDATE objects=users where=yes inj_has=tautology
UPDATE users SET role = 'admin' WHERE id = 5 OR 1=1

-- @case myi_delete_tautology
-- @expect op=DELETE objects=sessions inj_has=tautology
DELETE FROM sessions WHERE token = '' OR '1'='1'

-- @case myi_or_1
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE username = '' OR 1 LIMIT 1

-- @case myi_or_true
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id = 1 OR TRUE

-- @case myi_pipes_tautology
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id = 1 || 1=1

-- @case myi_double_quotes_tautology
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE username = "" OR "a"="a" AND password_hash = ""

-- @case myi_backticks_same
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE id = 7 OR `id` = `id`

-- @case myi_hex_tautology
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE username = '' OR 0x61=0x61

-- @case myi_paren_tautology
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE (username = '') OR ('1'='1') AND (password_hash = '')

-- @case myi_comment_dash
-- @expect objects=users inj=comment_split
SELECT * FROM users WHERE username = 'admin'-- -' AND password_hash = 'e10adc3949ba59abbe56e057f20f883e'

-- @case myi_comment_hash
-- @expect objects=users inj=comment_split
SELECT * FROM users WHERE username = 'admin'#' AND password_hash = 'e10adc3949ba59abbe56e057f20f883e'

-- @case myi_comment_dash_no_space
-- @expect status=unparseable
SELECT * FROM users WHERE username = 'admin'--' AND password_hash = 'e10adc3949ba59abbe56e057f20f883e'

-- @case myi_comment_block_open
-- @expect status=unparseable
SELECT * FROM users WHERE username = 'admin'/*' AND password_hash = 'e10adc3949ba59abbe56e057f20f883e'

-- @case myi_comment_block_closed
-- @expect objects=users inj_has=tautology
SELECT * FROM users WHERE username = '' OR 1=1/*' AND password_hash = '*/

-- @case myi_comment_or_hash
-- @expect objects=users inj_has=tautology,comment_split
SELECT * FROM users WHERE username = '' or 1=1#' AND password_hash = ''

-- @case myi_stacked_drop
-- @expect stmts=2 classes=ddl objects=products,users inj_has=stacked
SELECT * FROM products WHERE name = 'x'; DROP TABLE users; -- -'

-- @case myi_stacked_numeric
-- @expect stmts=2 classes=ddl objects=products,users
SELECT * FROM products WHERE id = 1; DROP TABLE users

-- @case myi_stacked_grant
-- @expect stmts=2 classes=grant
SELECT * FROM products WHERE id = 1; GRANT ALL ON *.* TO 'mallory'@'%'#

-- @case myi_stacked_outfile
-- @expect stmts=2 classes=outfile
SELECT * FROM products WHERE id = 1; SELECT '<?php system($_GET[1]); ?>' INTO OUTFILE '/var/www/html/x.php'#

-- @case myi_stacked_insert_admin
-- @expect stmts=2 objects=products,users inj_has=stacked
SELECT * FROM products WHERE name = ''; INSERT INTO users (username, role) VALUES ('mallory', 'admin')#'

-- @case myi_time_sleep_and
-- @expect objects=products functions=sleep inj_has=time_probe
SELECT * FROM products WHERE id = 1 AND SLEEP(5)

-- @case myi_time_sleep_or
-- @expect objects=users functions=sleep inj_has=time_probe
SELECT * FROM users WHERE username = '' OR SLEEP(5)#'

-- @case myi_time_if
-- @expect objects=users functions=if,sleep,substring,user inj_has=time_probe
SELECT * FROM users WHERE id = 1 AND IF(SUBSTRING(USER(),1,1)='r',SLEEP(5),0)

-- @case myi_time_xor
-- @expect objects=products functions=if,now,sysdate,sleep inj_has=time_probe
SELECT * FROM products WHERE name = '' XOR(IF(NOW()=SYSDATE(),SLEEP(5),0))XOR ''

-- @case myi_time_derived
-- @expect objects=products functions=sleep inj_has=time_probe
SELECT * FROM products WHERE id = 1 AND (SELECT 4871 FROM (SELECT(SLEEP(5)))Pkyr)

-- @case myi_time_benchmark
-- @expect objects=products functions=benchmark,md5 inj_has=time_probe
SELECT * FROM products WHERE id = 1 AND 1234=BENCHMARK(5000000,MD5(0x414243))

-- @case myi_time_rlike
-- @expect objects=products functions=sleep inj_has=time_probe
SELECT * FROM products WHERE id = 1 RLIKE SLEEP(5)

-- @case myi_time_union
-- @expect objects=products functions=sleep inj_has=time_probe unions=1
SELECT name, price FROM products WHERE id = -1 UNION SELECT SLEEP(5), NULL

-- @case myi_time_order_by
-- @expect objects=products functions=if,sleep
SELECT id, name FROM products ORDER BY IF(1=1, SLEEP(5), name)

-- @case myi_time_case_when
-- @expect objects=products functions=sleep inj_has=time_probe
SELECT * FROM products WHERE id = 1 AND (CASE WHEN (1=1) THEN SLEEP(5) ELSE 0 END)

-- @case myi_time_get_lock
-- @expect objects=products functions=get_lock caught=no
SELECT * FROM products WHERE id = 1 AND GET_LOCK('x', 5)

-- @case myi_error_extractvalue
-- @expect objects=products functions=extractvalue,concat,version inj= caught=no
SELECT * FROM products WHERE id = 1 AND EXTRACTVALUE(1, CONCAT(0x5c, VERSION()))

-- @case myi_error_extractvalue_schema
-- @expect objects=products,information_schema.tables functions=extractvalue,concat,database
SELECT * FROM products WHERE id = 1 AND EXTRACTVALUE(1, CONCAT(0x7e, (SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() LIMIT 1)))

-- @case myi_error_updatexml
-- @expect objects=products functions=updatexml,concat,user inj= caught=no
SELECT * FROM products WHERE id = 1 AND UPDATEXML(1, CONCAT(0x7e, (SELECT USER()), 0x7e), 1)

-- @case myi_error_updatexml_users
-- @expect objects=products,users functions=updatexml,concat inj= caught=no
SELECT * FROM products WHERE id = 1 AND UPDATEXML(1, CONCAT(0x7e, (SELECT password_hash FROM users LIMIT 1)), 1)

-- @case myi_error_floor_rand
-- @expect objects=products inj_has=tautology
SELECT * FROM products WHERE id = 1 OR 1 GROUP BY CONCAT(0x7e, (SELECT VERSION()), FLOOR(RAND(0)*2)) HAVING MIN(0)#

-- @case myi_error_exp
-- @expect objects=products functions=exp,user inj= caught=no
SELECT * FROM products WHERE id = 1 AND EXP(~(SELECT * FROM (SELECT USER())a))

-- @case myi_error_gtid
-- @expect objects=products functions=gtid_subset,concat,version inj= caught=no
SELECT * FROM products WHERE id = 1 AND GTID_SUBSET(CONCAT(0x7e, VERSION()), 1)

-- @case myi_boolean_blind
-- @expect objects=users inj= caught=no
SELECT * FROM users WHERE id = 1 AND ASCII(SUBSTRING((SELECT DATABASE()), 1, 1)) > 100

-- @case myi_boolean_blind_and
-- @expect objects=users inj= caught=no
SELECT * FROM users WHERE id = 1 AND 8841=8841

-- @case myi_boolean_blind_cut
-- @expect objects=users inj=comment_split
SELECT id FROM users WHERE username = '' AND ASCII(SUBSTRING(USER(),1,1)) > 100-- -' AND password_hash = 'e10adc3949ba59abbe56e057f20f883e'

-- @case myi_order_by_probe
-- @expect objects=products inj= caught=no
SELECT id, name, price FROM products WHERE category = 'toys' ORDER BY 4

-- @case myi_like_wildcard
-- @expect objects=users inj= caught=no
SELECT * FROM users WHERE username LIKE '%' AND password_hash LIKE '%'

-- @case myi_tautology_fp
-- @expect diff_fp=myl_users_base inj_has=tautology literal_sensitive=yes
SELECT * FROM users WHERE username = 'bob' OR 'x'='x'
