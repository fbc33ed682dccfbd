-- What Hibernate (through pgJDBC: parameters as $n), Spring JdbcTemplate,
-- Sequelize, Prisma, TypeORM, Knex and GORM (pgx) send to PostgreSQL.
-- Mixed-case quoted table names keep their case; three-part column
-- references ("public"."User"."id") are columns, not tables.

-- @case hb6_find
-- @expect op=SELECT objects=users functions=
select u1_0.id,u1_0.email,u1_0.name from users u1_0 where u1_0.id=$1

-- @case hb6_join_page
-- @expect op=SELECT objects=orders,customers joins=1 functions=
select o1_0.id,o1_0.customer_id,o1_0.total from orders o1_0 join customers c1_0 on c1_0.id=o1_0.customer_id where c1_0.email=$1 offset $2 rows fetch first $3 rows only

-- @case hb6_insert
-- @expect op=INSERT objects=users writes=yes
insert into users (email,name,id) values ($1,$2,$3)

-- @case hb6_sequence
-- @expect op=SELECT functions=nextval objects=
select nextval('users_seq')

-- @case hb6_versioned_update
-- @expect op=UPDATE objects=users where=yes writes=yes
update users set email=$1,name=$2,version=$3 where id=$4 and version=$5

-- @case hb6_delete
-- @expect op=DELETE objects=users where=yes
delete from users where id=$1

-- @case hb6_count
-- @expect op=SELECT objects=users functions=count
select count(u1_0.id) from users u1_0

-- @case hb6_like_escape
-- @expect op=SELECT objects=products functions=
select p1_0.id,p1_0.name from products p1_0 where p1_0.name like $1 escape '\'

-- @case hb6_in_list
-- @expect op=SELECT objects=products max_in_list=4
select p1_0.id,p1_0.name from products p1_0 where p1_0.id in ($1,$2,$3,$4)

-- @case hb6_fetch_join
-- @expect op=SELECT objects=orders,order_lines joins=1
select o1_0.id,l1_0.order_id,l1_0.id,l1_0.qty from orders o1_0 left join order_lines l1_0 on o1_0.id=l1_0.order_id where o1_0.id=$1

-- @case hb6_lock
-- @expect op=SELECT objects=accounts
select a1_0.id,a1_0.balance from accounts a1_0 where a1_0.id=$1 for no key update

-- @case hb5_aliases
-- @expect op=SELECT objects=users functions=
select user0_.id as id1_0_, user0_.email as email2_0_, user0_.name as name3_0_ from users user0_ where user0_.email=$1

-- @case hb5_subselect
-- @expect op=SELECT objects=orders,customers subquery_depth=1
select order0_.id as id1_1_ from orders order0_ where order0_.customer_id in (select customer1_.id from customers customer1_ where customer1_.vip=true)

-- @case hb_batch_update
-- @expect op=UPDATE objects=inventory where=yes
update inventory set quantity=quantity-$1 where sku=$2 and quantity>=$1

-- @case jdbc_isvalid
-- @expect op=SELECT objects= functions=
SELECT 1

-- @case jdbc_set_app_name
-- @expect op=SET
SET application_name = 'PostgreSQL JDBC Driver'

-- @case jdbc_txn_isolation
-- @expect op=SET
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED

-- @case jdbc_begin_read_only
-- @expect op=BEGIN
BEGIN READ ONLY

-- @case spring_batch_insert
-- @expect op=INSERT objects=audit_events writes=yes
INSERT INTO audit_events (occurred_at, actor, action, detail) VALUES ($1, $2, $3, $4::jsonb)

-- @case spring_named_query
-- @expect op=SELECT objects=employees,departments joins=1
SELECT e.id, e.name, d.name AS department FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.hired_at >= $1 AND d.name = ANY($2)

-- @case sq_find_pk
-- @expect op=SELECT objects=Users functions=
SELECT "id", "firstName", "lastName", "createdAt", "updatedAt" FROM "Users" AS "User" WHERE "User"."id" = 1;

-- @case sq_create
-- @expect op=INSERT objects=Users writes=yes stmts=1
INSERT INTO "Users" ("id","firstName","lastName","createdAt","updatedAt") VALUES (DEFAULT,$1,$2,$3,$4) RETURNING "id","firstName","lastName","createdAt","updatedAt";

-- @case sq_include
-- @expect op=SELECT objects=Users,Posts joins=1
SELECT "User"."id", "User"."firstName", "Posts"."id" AS "Posts.id", "Posts"."title" AS "Posts.title" FROM "Users" AS "User" LEFT OUTER JOIN "Posts" AS "Posts" ON "User"."id" = "Posts"."userId" WHERE "User"."id" = 3;

-- @case sq_update
-- @expect op=UPDATE objects=Users where=yes
UPDATE "Users" SET "lastName"=$1,"updatedAt"=$2 WHERE "id" = $3

-- @case sq_destroy
-- @expect op=DELETE objects=Users where=yes
DELETE FROM "Users" WHERE "id" = 5

-- @case sq_count
-- @expect op=SELECT objects=Users functions=count
SELECT count("User"."id") AS "count" FROM "Users" AS "User";

-- @case sq_sync_table
-- @expect op=CREATE classes=ddl objects=Users functions=
CREATE TABLE IF NOT EXISTS "Users" ("id"   SERIAL , "firstName" VARCHAR(255), "lastName" VARCHAR(255), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"));

-- @case sq_enum_lookup
-- @expect op=SELECT objects=pg_type,pg_enum,pg_catalog.pg_namespace functions=array_agg joins=2
SELECT t.typname enum_name, array_agg(e.enumlabel ORDER BY enumsortorder) enum_value FROM pg_type t JOIN pg_enum e ON t.oid = e.enumtypid JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' GROUP BY 1

-- @case sq_start_transaction
-- @expect op=BEGIN stmts=1
START TRANSACTION;

-- @case sq_upsert
-- @expect op=INSERT objects=Settings writes=yes
INSERT INTO "Settings" ("key","value","updatedAt") VALUES ($1,$2,$3) ON CONFLICT ("key") DO UPDATE SET "value"=EXCLUDED."value","updatedAt"=EXCLUDED."updatedAt" RETURNING "key","value","updatedAt";

-- @case prisma_find_unique
-- @expect op=SELECT objects=public.User functions=
SELECT "public"."User"."id", "public"."User"."email", "public"."User"."name" FROM "public"."User" WHERE ("public"."User"."email" = $1 AND 1=1) LIMIT $2 OFFSET $3

-- @case prisma_create
-- @expect op=INSERT objects=public.Post writes=yes
INSERT INTO "public"."Post" ("title","published","authorId") VALUES ($1,$2,$3) RETURNING "public"."Post"."id", "public"."Post"."title", "public"."Post"."published", "public"."Post"."authorId"

-- @case prisma_include
-- @expect op=SELECT objects=public.Post max_in_list=3
SELECT "public"."Post"."id", "public"."Post"."title", "public"."Post"."authorId" FROM "public"."Post" WHERE "public"."Post"."authorId" IN ($1,$2,$3) OFFSET $4

-- @case prisma_update
-- @expect op=UPDATE objects=public.User where=yes
UPDATE "public"."User" SET "name" = $1 WHERE ("public"."User"."id" = $2 AND 1=1) RETURNING "public"."User"."id", "public"."User"."name"

-- @case prisma_delete_many
-- @expect op=DELETE objects=public.Session where=yes
DELETE FROM "public"."Session" WHERE ("public"."Session"."expires" < $1 AND 1=1)

-- @case prisma_count
-- @expect op=SELECT objects=public.User functions=count subquery_depth=1
SELECT COUNT(*) AS "_count._all" FROM (SELECT "public"."User"."id" FROM "public"."User" WHERE 1=1 OFFSET $1) AS "sub"

-- @case prisma_m2m
-- @expect op=SELECT objects=public.User,public._GroupToUser,public.Group joins=1 subquery_depth=1
SELECT "public"."User"."id" FROM "public"."User" WHERE ("public"."User"."id") IN (SELECT "t1"."A" FROM "public"."_GroupToUser" AS "t1" INNER JOIN "public"."Group" AS "j1" ON ("j1"."id") = ("t1"."B") WHERE ("j1"."name" = $1 AND "t1"."A" IS NOT NULL))

-- @case prisma_migrate_lock
-- @expect op=SELECT functions=pg_advisory_lock
SELECT pg_advisory_lock(72707369)

-- @case prisma_migrations_table
-- @expect op=CREATE classes=ddl objects=_prisma_migrations functions=now
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);

-- @case prisma_migration_script
-- @expect stmts=3 ops=CREATE,ALTER classes=ddl objects=public.Profile,public.User
-- CreateTable
CREATE TABLE "public"."Profile" (
    "id" SERIAL NOT NULL,
    "bio" TEXT,
    "userId" INTEGER NOT NULL,

    CONSTRAINT "Profile_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Profile_userId_key" ON "public"."Profile"("userId");

-- AddForeignKey
ALTER TABLE "public"."Profile" ADD CONSTRAINT "Profile_userId_fkey" FOREIGN KEY ("userId") REFERENCES "public"."User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- @case typeorm_find_one
-- @expect op=SELECT objects=user functions=
SELECT "User"."id" AS "User_id", "User"."firstName" AS "User_firstName", "User"."lastName" AS "User_lastName" FROM "user" "User" WHERE ("User"."id" = $1) LIMIT 1

-- @case typeorm_start
-- @expect op=BEGIN
START TRANSACTION

-- @case typeorm_insert_default
-- @expect op=INSERT objects=photo writes=yes functions=
INSERT INTO "photo"("name", "description", "filename", "views", "isPublished", "userId") VALUES ($1, $2, $3, $4, $5, DEFAULT) RETURNING "id"

-- @case typeorm_current_schema
-- @expect op=SELECT objects= functions=current_schema
SELECT * FROM current_schema()

-- @case typeorm_version
-- @expect op=SELECT functions=version stmts=1
SELECT version();

-- @case typeorm_metadata_check
-- @expect op=SELECT objects=information_schema.tables
SELECT * FROM "information_schema"."tables" WHERE "table_schema" = 'public' AND "table_name" = 'typeorm_metadata'

-- @case typeorm_query_builder
-- @expect op=SELECT objects=photo,photo_metadata,user joins=2
SELECT "photo"."id" AS "photo_id", "metadata"."orientation" AS "metadata_orientation", "author"."name" AS "author_name" FROM "photo" "photo" LEFT JOIN "photo_metadata" "metadata" ON "metadata"."photoId"="photo"."id" INNER JOIN "user" "author" ON "author"."id"="photo"."userId" WHERE "photo"."isPublished" = true AND ("photo"."name" = $1 OR "photo"."name" = $2) ORDER BY "photo"."id" DESC LIMIT 5 OFFSET 10

-- @case knex_first
-- @expect op=SELECT objects=users
select "users".* from "users" where "id" = $1 limit $2

-- @case knex_insert
-- @expect op=INSERT objects=accounts writes=yes
insert into "accounts" ("email", "name") values ($1, $2) returning "id"

-- @case knex_count
-- @expect op=SELECT objects=users functions=count
select count(*) as "count" from "users" where "active" = $1

-- @case knex_where_in_or_null
-- @expect op=SELECT objects=tasks max_in_list=2
select * from "tasks" where "status" in ($1, $2) or "assignee_id" is null

-- @case knex_migrations_lock
-- @expect op=UPDATE objects=knex_migrations_lock where=yes
update "knex_migrations_lock" set "is_locked" = $1 where "is_locked" = $2

-- @case knex_raw_interval
-- @expect op=DELETE objects=jobs where=yes functions=now
delete from "jobs" where "finished_at" < now() - interval '7 days'

-- @case gorm_first
-- @expect op=SELECT objects=users functions=
SELECT * FROM "users" WHERE "users"."deleted_at" IS NULL ORDER BY "users"."id" LIMIT 1

-- @case gorm_where
-- @expect op=SELECT objects=users
SELECT * FROM "users" WHERE name = $1 AND "users"."deleted_at" IS NULL

-- @case gorm_create
-- @expect op=INSERT objects=users writes=yes
INSERT INTO "users" ("created_at","updated_at","deleted_at","name","email","age") VALUES ($1,$2,$3,$4,$5,$6) RETURNING "id"

-- @case gorm_soft_delete
-- @expect op=UPDATE objects=users where=yes
UPDATE "users" SET "deleted_at"=$1 WHERE "users"."id" = $2 AND "users"."deleted_at" IS NULL

-- @case gorm_save
-- @expect op=UPDATE objects=users where=yes
UPDATE "users" SET "name"=$1,"updated_at"=$2 WHERE "users"."deleted_at" IS NULL AND "id" = $3

-- @case gorm_has_table
-- @expect op=SELECT objects=information_schema.tables functions=count,current_schema
SELECT count(*) FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA() AND table_name = $1 AND table_type = $2

-- @case gorm_preload
-- @expect op=SELECT objects=orders
SELECT * FROM "orders" WHERE "orders"."user_id" = $1 AND "orders"."deleted_at" IS NULL

-- @case gorm_in
-- @expect op=SELECT objects=users max_in_list=3
SELECT * FROM "users" WHERE "users"."id" IN ($1,$2,$3) AND "users"."deleted_at" IS NULL

-- @case gorm_upsert
-- @expect op=INSERT objects=users writes=yes
INSERT INTO "users" ("created_at","updated_at","deleted_at","name","id") VALUES ($1,$2,$3,$4,$5) ON CONFLICT ("id") DO UPDATE SET "name"="excluded"."name" RETURNING "id"

-- @case gorm_do_nothing
-- @expect op=INSERT objects=languages writes=yes
INSERT INTO "languages" ("code","name") VALUES ($1,$2) ON CONFLICT DO NOTHING

-- @case gorm_pluck
-- @expect op=SELECT objects=users
SELECT "name" FROM "users" WHERE age > $1 AND "users"."deleted_at" IS NULL

-- @case gorm_auto_migrate_column
-- @expect op=ALTER classes=ddl objects=users
ALTER TABLE "users" ADD "nickname" text

-- @case gorm_create_index
-- @expect op=CREATE classes=ddl objects=users functions=
CREATE INDEX IF NOT EXISTS "idx_users_deleted_at" ON "users" ("deleted_at")

-- @case sqlx_named
-- @expect op=SELECT objects=person
SELECT first_name, last_name, email FROM person WHERE first_name = $1 OR last_name = $1 ORDER BY first_name ASC

-- @case asyncpg_copy_records
-- @expect op=COPY objects=public.events classes= writes=yes
COPY "public"."events" ("id", "occurred_at", "payload") FROM STDIN (FORMAT binary)

-- @case copy_to_stdout
-- @expect op=COPY objects=public.events classes= writes=no
COPY public.events TO STDOUT WITH (FORMAT csv, HEADER true)

-- @case copy_query_to_stdout
-- @expect op=COPY objects=orders classes= writes=no
COPY (SELECT id, total FROM orders WHERE placed_at >= '2026-11-01') TO STDOUT WITH CSV HEADER
