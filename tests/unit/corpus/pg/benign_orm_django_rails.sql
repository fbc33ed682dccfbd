-- What Django (psycopg2: values interpolated client-side), SQLAlchemy and
-- Rails/ActiveRecord (prepared, $n) send to PostgreSQL: quoted identifiers,
-- LIMIT/OFFSET, RETURNING, upserts, JSON and array operators, subqueries,
-- sqlcommenter / marginalia comments, savepoints and schema introspection.

-- @case dj_get_user
-- @expect op=SELECT objects=auth_user functions= joins=0 stmts=1
SELECT "auth_user"."id", "auth_user"."password", "auth_user"."last_login", "auth_user"."is_superuser", "auth_user"."username", "auth_user"."first_name", "auth_user"."last_name", "auth_user"."email", "auth_user"."is_staff", "auth_user"."is_active", "auth_user"."date_joined" FROM "auth_user" WHERE "auth_user"."username" = 'alice' LIMIT 21

-- @case dj_get_user_other
-- @expect same_fp=dj_get_user
SELECT "auth_user"."id", "auth_user"."password", "auth_user"."last_login", "auth_user"."is_superuser", "auth_user"."username", "auth_user"."first_name", "auth_user"."last_name", "auth_user"."email", "auth_user"."is_staff", "auth_user"."is_active", "auth_user"."date_joined" FROM "auth_user" WHERE "auth_user"."username" = 'bob.o''neil' LIMIT 21

-- @case dj_session_load
-- @expect op=SELECT objects=django_session functions=
SELECT "django_session"."session_key", "django_session"."session_data", "django_session"."expire_date" FROM "django_session" WHERE ("django_session"."expire_date" > '2026-11-22T10:00:00.123456+00:00'::timestamptz AND "django_session"."session_key" = 'x7kq2m9v0c1b3n5z8a4s6d2f7g9h1j3k') LIMIT 21

-- @case dj_last_login
-- @expect op=UPDATE objects=auth_user where=yes writes=yes functions=
UPDATE "auth_user" SET "last_login" = '2026-11-22T10:00:00.123456+00:00'::timestamptz WHERE "auth_user"."id" = 1

-- @case dj_session_save
-- @expect op=INSERT objects=django_session writes=yes functions=
INSERT INTO "django_session" ("session_key", "session_data", "expire_date") VALUES ('x7kq2m9v0c1b3n5z8a4s6d2f7g9h1j3k', '.eJxVjDsOwjAQRO_iGln-r01JzxmsjddLAsiR4qRC3B1FSgHtvDfzFhn3bcp7b2ueWVyFERcxfiL-_Fi_3f:1vM3Xk:Qh3y', '2026-12-06T10:00:00.123456+00:00'::timestamptz)

-- @case dj_create_returning
-- @expect op=INSERT objects=blog_post writes=yes functions=
INSERT INTO "blog_post" ("title", "slug", "body", "author_id", "published_at") VALUES ('Hello -- world', 'hello-world', 'Body with a ; semicolon and /* not a comment */', 1, NULL) RETURNING "blog_post"."id"

-- @case dj_bulk_create
-- @expect op=INSERT objects=blog_tag writes=yes
INSERT INTO "blog_tag" ("name", "slug") VALUES ('python', 'python'), ('django', 'django'), ('postgres', 'postgres') RETURNING "blog_tag"."id"

-- @case dj_count
-- @expect op=SELECT objects=blog_post functions=count
SELECT COUNT(*) AS "__count" FROM "blog_post" WHERE "blog_post"."published_at" IS NOT NULL

-- @case dj_join_paginate
-- @expect op=SELECT objects=blog_post,auth_user joins=1 functions=
SELECT "blog_post"."id", "blog_post"."title", "blog_post"."slug", "auth_user"."username" FROM "blog_post" INNER JOIN "auth_user" ON ("blog_post"."author_id" = "auth_user"."id") WHERE "auth_user"."is_active" ORDER BY "blog_post"."published_at" DESC LIMIT 10 OFFSET 20

-- @case dj_exists
-- @expect op=SELECT objects=auth_user functions=
SELECT 1 AS "a" FROM "auth_user" WHERE "auth_user"."email" = 'a@example.com' LIMIT 1

-- @case dj_prefetch
-- @expect op=SELECT objects=blog_tag,blog_post_tags joins=1 max_in_list=4
SELECT ("blog_post_tags"."post_id") AS "_prefetch_related_val_post_id", "blog_tag"."id", "blog_tag"."name" FROM "blog_tag" INNER JOIN "blog_post_tags" ON ("blog_tag"."id" = "blog_post_tags"."tag_id") WHERE "blog_post_tags"."post_id" IN (1, 2, 3, 4)

-- @case dj_prefetch_more
-- @expect max_in_list=7 same_fp=dj_prefetch
SELECT ("blog_post_tags"."post_id") AS "_prefetch_related_val_post_id", "blog_tag"."id", "blog_tag"."name" FROM "blog_tag" INNER JOIN "blog_post_tags" ON ("blog_tag"."id" = "blog_post_tags"."tag_id") WHERE "blog_post_tags"."post_id" IN (5, 6, 7, 8, 9, 10, 11)

-- @case dj_delete_in
-- @expect op=DELETE objects=django_session where=yes max_in_list=2
DELETE FROM "django_session" WHERE "django_session"."session_key" IN ('a1b2c3', 'd4e5f6')

-- @case dj_migrations
-- @expect op=SELECT objects=django_migrations
SELECT "django_migrations"."id", "django_migrations"."app", "django_migrations"."name", "django_migrations"."applied" FROM "django_migrations"

-- @case dj_introspect_tables
-- @expect op=SELECT objects=pg_catalog.pg_class,pg_catalog.pg_namespace functions=obj_description,pg_table_is_visible joins=1
SELECT
                c.relname,
                CASE
                    WHEN c.relispartition THEN 'p'
                    WHEN c.relkind IN ('m', 'v') THEN 'v'
                    ELSE 't'
                END,
                obj_description(c.oid, 'pg_class')
            FROM pg_catalog.pg_class c
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('f', 'm', 'p', 'r', 'v')
                AND n.nspname NOT IN ('pg_catalog', 'pg_toast')
                AND pg_catalog.pg_table_is_visible(c.oid)

-- @case dj_savepoint
-- @expect op=SAVEPOINT
SAVEPOINT "s140234871234_x1"

-- @case dj_release
-- @expect op=COMMIT
RELEASE SAVEPOINT "s140234871234_x1"

-- @case dj_rollback_to
-- @expect op=ROLLBACK
ROLLBACK TO SAVEPOINT "s140234871234_x1"

-- @case dj_group_by
-- @expect op=SELECT objects=shop_order functions=count
SELECT "shop_order"."status", COUNT("shop_order"."id") AS "n" FROM "shop_order" GROUP BY "shop_order"."status" ORDER BY "shop_order"."status" ASC

-- @case dj_iexact
-- @expect op=SELECT objects=auth_user functions=upper
SELECT "auth_user"."id" FROM "auth_user" WHERE UPPER("auth_user"."username"::text) = UPPER('Alice') LIMIT 21

-- @case dj_icontains
-- @expect op=SELECT objects=blog_post functions=upper
SELECT "blog_post"."id", "blog_post"."title" FROM "blog_post" WHERE UPPER("blog_post"."title"::text) LIKE UPPER('%union select%')

-- @case dj_json_key
-- @expect op=SELECT objects=core_event functions=
SELECT "core_event"."id", "core_event"."payload" FROM "core_event" WHERE ("core_event"."payload" -> 'user') = '"alice"'::jsonb

-- @case dj_json_contains
-- @expect op=SELECT objects=core_event functions=
SELECT "core_event"."id" FROM "core_event" WHERE "core_event"."payload" @> '{"type": "login", "ok": true}'::jsonb

-- @case dj_json_has_key
-- @expect op=SELECT objects=core_event
SELECT "core_event"."id" FROM "core_event" WHERE "core_event"."payload" ? 'tags'

-- @case dj_json_has_any
-- @expect op=SELECT objects=core_event
SELECT "core_event"."id" FROM "core_event" WHERE "core_event"."payload" ?| ARRAY['tags','labels']::text[]

-- @case dj_f_expression
-- @expect op=UPDATE objects=shop_product where=yes
UPDATE "shop_product" SET "stock" = ("shop_product"."stock" - 1) WHERE "shop_product"."id" = 42

-- @case dj_select_for_update
-- @expect op=SELECT objects=shop_product writes=no
SELECT "shop_product"."id", "shop_product"."stock" FROM "shop_product" WHERE "shop_product"."id" = 42 LIMIT 21 FOR UPDATE

-- @case dj_subquery_outerref
-- @expect op=SELECT objects=blog_post,blog_comment subquery_depth=1
SELECT "blog_post"."id", "blog_post"."title", (SELECT U0."body" FROM "blog_comment" U0 WHERE U0."post_id" = ("blog_post"."id") ORDER BY U0."created" DESC LIMIT 1) AS "newest_comment" FROM "blog_post"

-- @case dj_exists_subquery
-- @expect op=SELECT objects=blog_post,blog_comment functions= subquery_depth=1
SELECT "blog_post"."id" FROM "blog_post" WHERE EXISTS(SELECT 1 AS "a" FROM "blog_comment" U0 WHERE U0."post_id" = ("blog_post"."id") LIMIT 1)

-- @case dj_window
-- @expect op=SELECT objects=hr_employee functions=rank
SELECT "hr_employee"."id", "hr_employee"."name", RANK() OVER (PARTITION BY "hr_employee"."dept_id" ORDER BY "hr_employee"."salary" DESC) AS "rank" FROM "hr_employee"

-- @case dj_aggregate
-- @expect op=SELECT objects=shop_product functions=avg,max,min
SELECT AVG("shop_product"."price") AS "price__avg", MAX("shop_product"."price") AS "price__max", MIN("shop_product"."price") AS "price__min" FROM "shop_product"

-- @case dj_search
-- @expect op=SELECT objects=blog_post
SELECT "blog_post"."id" FROM "blog_post" WHERE to_tsvector(COALESCE("blog_post"."body", '')) @@ (plainto_tsquery('drop table students'))

-- @case dj_distinct_on
-- @expect op=SELECT objects=shop_order functions=
SELECT DISTINCT ON ("shop_order"."customer_id") "shop_order"."id", "shop_order"."customer_id" FROM "shop_order" ORDER BY "shop_order"."customer_id" ASC, "shop_order"."created" DESC

-- @case dj_array_contains
-- @expect op=SELECT objects=blog_post functions=
SELECT "blog_post"."id" FROM "blog_post" WHERE "blog_post"."tags" @> ARRAY['python','sql']::varchar(50)[]

-- @case dj_sqlcommenter
-- @expect op=SELECT objects=shop_order functions=
SELECT "shop_order"."id", "shop_order"."total" FROM "shop_order" WHERE "shop_order"."id" = 17 LIMIT 21 /*controller='order_detail',db_driver='django.db.backends.postgresql',framework='django%3A4.2.7',route='%5Eorders/%28%3FP%3Cpk%3E%5Cd%2B%29/%24',traceparent='00-5bd66ef5095369c7b0d1f8f4bd33716a-c532cb4098ac3dd2-01'*/

-- @case dj_sqlcommenter_plain
-- @expect same_fp=dj_sqlcommenter
SELECT "shop_order"."id", "shop_order"."total" FROM "shop_order" WHERE "shop_order"."id" = 18 LIMIT 21

-- @case dj_empty_in
-- @expect op=SELECT objects=shop_order
SELECT "shop_order"."id" FROM "shop_order" WHERE ("shop_order"."status" = 'paid' OR "shop_order"."status" = 'shipped')

-- @case dj_isnull_or
-- @expect op=SELECT objects=shop_order
SELECT "shop_order"."id" FROM "shop_order" WHERE ("shop_order"."coupon_id" IS NULL OR "shop_order"."coupon_id" = 3)

-- @case sa_select
-- @expect op=SELECT objects=users functions=
SELECT users.id, users.name, users.fullname FROM users WHERE users.name = 'spongebob'

-- @case sa_select_labels
-- @expect op=SELECT objects=users
SELECT users.id AS users_id, users.name AS users_name FROM users WHERE users.id = 5

-- @case sa_insert_returning
-- @expect op=INSERT objects=users writes=yes
INSERT INTO users (name, fullname) VALUES ('sandy', 'Sandy Cheeks') RETURNING users.id

-- @case sa_eager_subquery
-- @expect op=SELECT objects=users,addresses joins=1 subquery_depth=1
SELECT anon_1.users_id, anon_1.users_name, addresses_1.id AS addresses_1_id, addresses_1.email_address FROM (SELECT users.id AS users_id, users.name AS users_name FROM users ORDER BY users.id LIMIT 10) AS anon_1 LEFT OUTER JOIN addresses AS addresses_1 ON anon_1.users_id = addresses_1.user_id ORDER BY anon_1.users_id

-- @case sa_count_wrap
-- @expect op=SELECT objects=users functions=count subquery_depth=1
SELECT count(*) AS count_1 FROM (SELECT users.id AS users_id FROM users WHERE users.name LIKE 'a%') AS anon_1

-- @case sa_has_table
-- @expect op=SELECT objects=pg_catalog.pg_class,pg_catalog.pg_namespace functions=pg_table_is_visible joins=1
SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace WHERE pg_catalog.pg_class.relname = 'users' AND pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p', 'f', 'v', 'm']) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog'

-- @case sa_version
-- @expect op=SELECT functions=version objects=
select pg_catalog.version()

-- @case sa_current_schema
-- @expect op=SELECT functions=current_schema objects=
select current_schema()

-- @case sa_scs
-- @expect op=SELECT
show standard_conforming_strings

-- @case sa_cast_probe
-- @expect op=SELECT objects=
SELECT CAST('test plain returns' AS VARCHAR(60)) AS anon_1

-- @case sa_update
-- @expect op=UPDATE objects=users where=yes
UPDATE users SET fullname='Sandy Squirrel' WHERE users.id = 2

-- @case sa_delete
-- @expect op=DELETE objects=addresses where=yes
DELETE FROM addresses WHERE addresses.id = 7

-- @case sa_expanding_in
-- @expect op=SELECT objects=users max_in_list=3
SELECT users.id, users.name FROM users WHERE users.id IN (1, 2, 3)

-- @case sa_upsert
-- @expect op=INSERT objects=users writes=yes
INSERT INTO users (id, name) VALUES (7, 'patrick') ON CONFLICT (id) DO UPDATE SET name = excluded.name

-- @case sa_recursive_cte
-- @expect op=SELECT objects=categories unions=1 joins=1
WITH RECURSIVE anon_1(id, parent_id, name) AS
(SELECT categories.id AS id, categories.parent_id AS parent_id, categories.name AS name
FROM categories
WHERE categories.id = 3 UNION ALL SELECT categories.id AS categories_id, categories.parent_id AS categories_parent_id, categories.name AS categories_name
FROM categories JOIN anon_1 ON anon_1.parent_id = categories.id)
 SELECT anon_1.id, anon_1.name
FROM anon_1

-- @case sa_executemany_values
-- @expect op=INSERT objects=measurements writes=yes
INSERT INTO measurements (sensor_id, taken_at, value) VALUES (1, '2026-11-22 10:00:00', 21.5),(1, '2026-11-22 10:01:00', 21.6),(2, '2026-11-22 10:00:00', -3.25)

-- @case ar_find
-- @expect op=SELECT objects=users functions=
SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2

-- @case ar_find_comment
-- @expect same_fp=ar_find
SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2 /*application:Shop,controller:users,action:show*/

-- @case ar_query_log_tags
-- @expect op=SELECT objects=posts
SELECT "posts".* FROM "posts" WHERE "posts"."user_id" = $1 ORDER BY "posts"."created_at" DESC LIMIT $2 OFFSET $3 /*action='index',application='Blog',controller='posts'*/

-- @case ar_create
-- @expect op=INSERT objects=posts writes=yes functions=
INSERT INTO "posts" ("title", "body", "user_id", "created_at", "updated_at") VALUES ($1, $2, $3, $4, $5) RETURNING "id"

-- @case ar_update
-- @expect op=UPDATE objects=users where=yes
UPDATE "users" SET "sign_in_count" = $1, "updated_at" = $2 WHERE "users"."id" = $3

-- @case ar_destroy
-- @expect op=DELETE objects=sessions where=yes
DELETE FROM "sessions" WHERE "sessions"."id" = $1

-- @case ar_exists
-- @expect op=SELECT objects=users
SELECT 1 AS one FROM "users" WHERE "users"."email" = $1 LIMIT $2

-- @case ar_count
-- @expect op=SELECT objects=posts functions=count
SELECT COUNT(*) FROM "posts" WHERE "posts"."published" = $1

-- @case ar_none
-- @expect op=SELECT objects=users
SELECT "users".* FROM "users" WHERE 1=0

-- @case ar_where_1_1
-- @expect op=SELECT objects=users
SELECT "users".* FROM "users" WHERE (1=1) AND "users"."active" = TRUE

-- @case ar_schema_migrations
-- @expect op=SELECT objects=schema_migrations
SELECT "schema_migrations"."version" FROM "schema_migrations" ORDER BY "schema_migrations"."version" ASC

-- @case ar_internal_metadata
-- @expect op=SELECT objects=ar_internal_metadata
SELECT "ar_internal_metadata"."value" FROM "ar_internal_metadata" WHERE "ar_internal_metadata"."key" = $1 LIMIT $2

-- @case ar_advisory_lock
-- @expect op=SELECT functions=pg_try_advisory_lock objects=
SELECT pg_try_advisory_lock(4190718543765834751)

-- @case ar_advisory_unlock
-- @expect op=SELECT functions=pg_advisory_unlock
SELECT pg_advisory_unlock(4190718543765834751)

-- @case ar_joins_in
-- @expect op=SELECT objects=posts,taggings joins=1 max_in_list=3
SELECT "posts".* FROM "posts" INNER JOIN "taggings" ON "posts"."id" = "taggings"."post_id" WHERE "taggings"."tag_id" IN ($1, $2, $3)

-- @case ar_includes
-- @expect op=SELECT objects=comments max_in_list=5
SELECT "comments".* FROM "comments" WHERE "comments"."post_id" IN ($1, $2, $3, $4, $5)

-- @case ar_search_or
-- @expect op=SELECT objects=users
SELECT "users".* FROM "users" WHERE ("users"."name" ILIKE $1 OR "users"."email" ILIKE $1)

-- @case ar_counter_cache
-- @expect op=UPDATE objects=posts where=yes
UPDATE "posts" SET "comments_count" = COALESCE("comments_count", 0) + $1 WHERE "posts"."id" = $2

-- @case ar_lock
-- @expect op=SELECT objects=users
SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2 FOR UPDATE

-- @case ar_columns
-- @expect op=SELECT objects=pg_attribute,pg_attrdef,pg_type,pg_collation functions=format_type,pg_get_expr,col_description joins=3
SELECT a.attname, format_type(a.atttypid, a.atttypmod),
       pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.atttypid, a.atttypmod,
       c.collname, col_description(a.attrelid, a.attnum) AS comment,
       attidentity AS identity,
       attgenerated as attgenerated
  FROM pg_attribute a
  LEFT JOIN pg_attrdef d ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  LEFT JOIN pg_type t ON a.atttypid = t.oid
  LEFT JOIN pg_collation c ON a.attcollation = c.oid AND a.attcollation <> t.typcollation
 WHERE a.attrelid = '"users"'::regclass
   AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum

-- @case ar_set_min_messages
-- @expect op=SET
SET client_min_messages TO 'warning'

-- @case ar_set_intervalstyle
-- @expect op=SET
SET intervalstyle = iso_8601

-- @case ar_set_timezone
-- @expect op=SET
SET SESSION timezone TO 'UTC'

-- @case ar_upsert_all
-- @expect op=INSERT objects=products writes=yes functions=
INSERT INTO "products" ("sku","name","created_at","updated_at") VALUES ('A1', 'Widget', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), ('B2', 'Gadget', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) ON CONFLICT ("sku") DO UPDATE SET "name"=excluded."name","updated_at"=(CASE WHEN ("products"."name" IS NOT DISTINCT FROM excluded."name") THEN "products"."updated_at" ELSE CURRENT_TIMESTAMP END) RETURNING "id"

-- @case ar_insert_all_skip
-- @expect op=INSERT objects=products writes=yes
INSERT INTO "products" ("sku","name") VALUES ('A1', 'Widget') ON CONFLICT  DO NOTHING RETURNING "id"

-- @case ar_begin
-- @expect op=BEGIN
BEGIN

-- @case ar_commit
-- @expect op=COMMIT
COMMIT

-- @case ar_rollback
-- @expect op=ROLLBACK
ROLLBACK

-- @case ar_or_date_range
-- @expect op=SELECT objects=events
SELECT "events".* FROM "events" WHERE ("events"."starts_at" BETWEEN $1 AND $2 OR "events"."ends_at" BETWEEN $1 AND $2)

-- @case ar_pluck_distinct
-- @expect op=SELECT objects=orders functions=
SELECT DISTINCT "orders"."status" FROM "orders"

-- @case ar_group_having
-- @expect op=SELECT objects=orders functions=sum
SELECT SUM("orders"."total") AS sum_total, "orders"."customer_id" AS orders_customer_id FROM "orders" GROUP BY "orders"."customer_id" HAVING (SUM(orders.total) > 100)
