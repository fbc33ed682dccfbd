-- Reconnaissance through the catalogs: UNION-based probes into
-- information_schema and pg_catalog (qualified or not: pg_catalog is always
-- searched first), and plain catalog reads of credentials and settings.

-- @case pgc_union_tables
-- @expect unions=1 objects=products,information_schema.tables inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT table_name, NULL FROM information_schema.tables WHERE table_schema = 'public'

-- @case pgc_union_columns
-- @expect unions=1 objects=products,information_schema.columns inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'users'

-- @case pgc_union_authid
-- @expect unions=1 objects=products,pg_authid inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT rolname, rolpassword FROM pg_authid

-- @case pgc_union_shadow_qualified
-- @expect unions=1 objects=products,pg_catalog.pg_shadow inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION ALL SELECT usename, passwd FROM pg_catalog.pg_shadow

-- @case pgc_union_database
-- @expect unions=1 objects=products,pg_database inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT datname, NULL FROM pg_database

-- @case pgc_union_class
-- @expect unions=1 objects=products,pg_class inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT relname, NULL FROM pg_class WHERE relkind = 'r'

-- @case pgc_union_namespace
-- @expect unions=1 objects=products,pg_namespace inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT nspname, NULL FROM pg_namespace

-- @case pgc_union_tables_agg
-- @expect unions=1 objects=products,pg_tables inj_has=union_catalog functions=string_agg
SELECT name, price FROM products WHERE id = -1 UNION SELECT string_agg(tablename, ','), NULL FROM pg_tables WHERE schemaname = 'public'

-- @case pgc_union_settings
-- @expect unions=1 objects=products,pg_settings inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT NULL, setting FROM pg_settings WHERE name = 'data_directory'

-- @case pgc_union_user
-- @expect unions=1 objects=products,pg_user inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT usename, NULL FROM pg_user

-- @case pgc_union_roles_paren
-- @expect unions=1 objects=products,pg_roles inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION (SELECT rolname, NULL FROM pg_roles WHERE rolsuper)

-- @case pgc_union_upper
-- @expect unions=1 objects=products,information_schema.schemata inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT SCHEMA_NAME, NULL FROM INFORMATION_SCHEMA.SCHEMATA

-- @case pgc_union_quoted_schema
-- @expect unions=1 objects=products,information_schema.tables inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT table_name, NULL FROM "information_schema"."tables"

-- @case pgc_union_nested
-- @expect unions=1 objects=products,pg_authid inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT * FROM (SELECT rolname, rolpassword FROM pg_authid) x

-- @case pgc_union_in_subquery
-- @expect unions=1 objects=products,pg_shadow inj_has=union_catalog
SELECT name FROM products WHERE id IN (SELECT 1 UNION SELECT usesysid FROM pg_shadow)

-- @case pgc_union_comment_cut
-- @expect unions=1 objects=products,pg_shadow inj_has=union_catalog,comment_split
SELECT name, price FROM products WHERE name = '' UNION SELECT usename, passwd FROM pg_shadow--' AND released

-- @case pgc_union_version
-- @expect unions=1 objects=products inj_has=union_catalog
SELECT name, price FROM products WHERE id = -1 UNION SELECT current_user, version()

-- @case pgc_union_app_table
-- @expect unions=1 objects=products,users inj= caught=no
SELECT name, price FROM products WHERE id = -1 UNION SELECT username, password_hash FROM users

-- @case pgc_union_null_probe
-- @expect unions=1 objects=products inj= caught=no
SELECT name, price FROM products WHERE id = 1 UNION ALL SELECT NULL, NULL

-- @case pgc_intersect_catalog
-- @expect unions=1 objects=products,pg_authid inj_has=union_catalog
SELECT name FROM products WHERE id = 1 INTERSECT SELECT rolname FROM pg_authid WHERE rolname LIKE 'p%'

-- @case pgc_read_authid
-- @expect op=SELECT objects=pg_authid
SELECT rolname, rolpassword FROM pg_authid

-- @case pgc_read_authid_qualified
-- @expect op=SELECT objects=pg_catalog.pg_authid
SELECT rolname, rolpassword FROM pg_catalog.pg_authid WHERE rolcanlogin

-- @case pgc_read_info_tables
-- @expect op=SELECT objects=information_schema.tables
SELECT * FROM information_schema.tables

-- @case pgc_read_info_columns_pass
-- @expect op=SELECT objects=information_schema.columns
SELECT table_name, column_name FROM information_schema.columns WHERE column_name LIKE '%pass%'

-- @case pgc_read_password_table
-- @expect op=SELECT objects=public.user_passwords
SELECT * FROM public.user_passwords

-- @case pgc_read_shadow
-- @expect op=SELECT objects=pg_shadow caught=no
SELECT usename, passwd FROM pg_shadow

-- @case pgc_read_user_mappings
-- @expect op=SELECT objects=pg_user_mappings caught=no
SELECT srvname, usename, umoptions FROM pg_user_mappings

-- @case pgc_read_hba
-- @expect op=SELECT objects=pg_hba_file_rules caught=no
SELECT * FROM pg_hba_file_rules

-- @case pgc_current_setting
-- @expect op=SELECT functions=current_setting caught=no
SELECT current_setting('data_directory'), current_setting('hba_file')

-- @case pgc_ls_dir
-- @expect op=SELECT functions=pg_ls_dir caught=no
SELECT * FROM pg_ls_dir('.')

-- @case pgc_stat_file
-- @expect op=SELECT functions=pg_stat_file caught=no
SELECT * FROM pg_stat_file('pg_hba.conf')

-- @case pgc_has_privilege
-- @expect op=SELECT functions=has_table_privilege,has_function_privilege caught=no
SELECT has_table_privilege('pg_authid', 'SELECT'), has_function_privilege('pg_read_file(text)', 'EXECUTE')
