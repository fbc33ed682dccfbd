-- What Rails (mysql2), Django, Laravel/Eloquent, Hibernate (Connector/J:
-- values inline, or ? when server-side prepared), Sequelize and GORM send to
-- MySQL: backticks, case-folded table names, ON DUPLICATE KEY UPDATE,
-- INSERT IGNORE, REPLACE, backslash-escaped strings, FOR UPDATE SKIP LOCKED.

-- @case myar_find
-- @expect op=SELECT objects=users functions= stmts=1
SELECT `users`.* FROM `users` WHERE `users`.`id` = 1 LIMIT 1

-- @case myar_find_other
-- @expect same_fp=myar_find
SELECT `users`.* FROM `users` WHERE `users`.`id` = 982734 LIMIT 1

-- @case myar_page
-- @expect op=SELECT objects=posts
SELECT `posts`.* FROM `posts` WHERE `posts`.`user_id` = 1 ORDER BY `posts`.`created_at` DESC LIMIT 10 OFFSET 20

-- @case myar_create
-- @expect op=INSERT objects=posts writes=yes functions=
INSERT INTO `posts` (`title`, `body`, `user_id`, `created_at`, `updated_at`) VALUES ('Hello', 'It\'s here; isn\'t it? -- yes', 1, '2026-11-22 10:00:00.123456', '2026-11-22 10:00:00.123456')

-- @case myar_update
-- @expect op=UPDATE objects=users where=yes writes=yes
UPDATE `users` SET `users`.`sign_in_count` = 3, `users`.`updated_at` = '2026-11-22 10:00:00' WHERE `users`.`id` = 1

-- @case myar_destroy
-- @expect op=DELETE objects=sessions where=yes
DELETE FROM `sessions` WHERE `sessions`.`id` = 42

-- @case myar_exists
-- @expect op=SELECT objects=users
SELECT 1 AS one FROM `users` WHERE `users`.`email` = 'a@example.com' LIMIT 1

-- @case myar_count
-- @expect op=SELECT objects=posts functions=count
SELECT COUNT(*) FROM `posts` WHERE `posts`.`published` = TRUE

-- @case myar_none
-- @expect op=SELECT objects=users
SELECT `users`.* FROM `users` WHERE 1=0

-- @case myar_session_vars
-- @expect op=SET functions=concat
SET @@SESSION.sql_mode = CONCAT(CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'), ',NO_AUTO_VALUE_ON_ZERO'), @@SESSION.sql_auto_is_null = 0, @@SESSION.wait_timeout = 2147483

-- @case myar_get_lock
-- @expect op=SELECT functions=get_lock
SELECT GET_LOCK('4190718543765834751', 0)

-- @case myar_release_lock
-- @expect op=SELECT functions=release_lock
SELECT RELEASE_LOCK('4190718543765834751')

-- @case myar_upsert_all
-- @expect op=INSERT objects=products writes=yes
INSERT INTO `products` (`sku`,`name`,`created_at`,`updated_at`) VALUES ('A1', 'Widget', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) ON DUPLICATE KEY UPDATE `name`=VALUES(`name`),`updated_at`=(CASE WHEN (`products`.`name` <=> VALUES(`name`)) THEN `products`.`updated_at` ELSE CURRENT_TIMESTAMP END)

-- @case myar_insert_all
-- @expect op=INSERT objects=products writes=yes
INSERT IGNORE INTO `products` (`sku`,`name`) VALUES ('A1', 'Widget'), ('B2', 'Gadget')

-- @case myar_schema_migrations
-- @expect op=SELECT objects=schema_migrations
SELECT `schema_migrations`.`version` FROM `schema_migrations` ORDER BY `schema_migrations`.`version` ASC

-- @case myar_columns
-- @expect op=SELECT objects=users
SHOW FULL FIELDS FROM `users`

-- @case myar_table_exists
-- @expect op=SELECT objects=information_schema.tables functions=database
SELECT table_name FROM information_schema.tables WHERE table_schema = database() AND table_name = 'users' AND table_type = 'BASE TABLE'

-- @case myar_lock
-- @expect op=SELECT objects=accounts writes=no
SELECT `accounts`.* FROM `accounts` WHERE `accounts`.`id` = 7 LIMIT 1 FOR UPDATE

-- @case myar_marginalia
-- @expect op=SELECT objects=users
SELECT `users`.* FROM `users` WHERE `users`.`id` = 1 LIMIT 1 /*application:Shop,controller:users,action:show*/

-- @case mydj_get
-- @expect op=SELECT objects=auth_user functions=
SELECT `auth_user`.`id`, `auth_user`.`password`, `auth_user`.`last_login`, `auth_user`.`is_superuser`, `auth_user`.`username` FROM `auth_user` WHERE `auth_user`.`username` = 'alice' LIMIT 21

-- @case mydj_auto_is_null
-- @expect op=SELECT objects=
SELECT @@SQL_AUTO_IS_NULL

-- @case mydj_isolation
-- @expect op=SET
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED

-- @case mydj_session
-- @expect op=SELECT objects=django_session
SELECT `django_session`.`session_key`, `django_session`.`session_data`, `django_session`.`expire_date` FROM `django_session` WHERE (`django_session`.`expire_date` > '2026-11-22 10:00:00.123456' AND `django_session`.`session_key` = 'x7kq2m9v0c1b3n5z') LIMIT 21

-- @case mydj_admin_log
-- @expect op=INSERT objects=django_admin_log writes=yes
INSERT INTO `django_admin_log` (`action_time`, `user_id`, `content_type_id`, `object_id`, `object_repr`, `action_flag`, `change_message`) VALUES ('2026-11-22 10:00:00.123456', 1, 7, '3', 'Order #3', 2, '[{\"changed\": {\"fields\": [\"Status\"]}}]')

-- @case mydj_like_binary
-- @expect op=SELECT objects=blog_post
SELECT `blog_post`.`id` FROM `blog_post` WHERE `blog_post`.`title` LIKE BINARY '%Django%'

-- @case mydj_f_update
-- @expect op=UPDATE objects=shop_product where=yes
UPDATE `shop_product` SET `stock` = (`shop_product`.`stock` - 1) WHERE `shop_product`.`id` = 42

-- @case mydj_json
-- @expect op=SELECT objects=core_event functions=json_unquote,json_extract
SELECT `core_event`.`id` FROM `core_event` WHERE JSON_UNQUOTE(JSON_EXTRACT(`core_event`.`payload`, '$."user"')) = 'alice'

-- @case lv_first
-- @expect op=SELECT objects=users
select * from `users` where `email` = 'taylor@example.com' limit 1

-- @case lv_count
-- @expect op=SELECT objects=posts functions=count
select count(*) as aggregate from `posts` where `posts`.`user_id` = 1 and `posts`.`user_id` is not null

-- @case lv_insert_user
-- @expect op=INSERT objects=users writes=yes
insert into `users` (`name`, `email`, `password`, `updated_at`, `created_at`) values ('Taylor', 't@example.com', '$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi', '2026-11-22 10:00:00', '2026-11-22 10:00:00')

-- @case lv_session_read
-- @expect op=SELECT objects=sessions
select * from `sessions` where `id` = 'tX3iC9EXAMPLE' limit 1

-- @case lv_session_write
-- @expect op=UPDATE objects=sessions where=yes
update `sessions` set `payload` = 'YTo0OntzOjY6Il90b2tlbiI7czo0MDoi', `last_activity` = 1763800000, `user_id` = NULL, `ip_address` = '127.0.0.1', `user_agent` = 'Mozilla/5.0 (X11; Linux x86_64)' where `id` = 'tX3iC9EXAMPLE'

-- @case lv_pivot
-- @expect op=SELECT objects=roles,role_user joins=1 max_in_list=3
select `roles`.*, `role_user`.`user_id` as `pivot_user_id`, `role_user`.`role_id` as `pivot_role_id` from `roles` inner join `role_user` on `roles`.`id` = `role_user`.`role_id` where `role_user`.`user_id` in (1, 2, 3)

-- @case lv_exists
-- @expect op=SELECT objects=users functions= subquery_depth=1
select exists(select * from `users` where `email` = 'a@b.c') as `exists`

-- @case lv_cache_delete
-- @expect op=DELETE objects=cache where=yes
delete from `cache` where `key` = 'laravel_cache:foo'

-- @case lv_job_push
-- @expect op=INSERT objects=jobs writes=yes
insert into `jobs` (`queue`, `attempts`, `reserved_at`, `available_at`, `created_at`, `payload`) values ('default', 0, NULL, 1763800000, 1763800000, '{\"uuid\":\"8d1f\",\"displayName\":\"App\\\\Jobs\\\\SendMail\",\"data\":{\"command\":\"O:17:\\\"App\\\\Jobs\\\\SendMail\\\":0:{}\"}}')

-- @case lv_job_pop
-- @expect op=SELECT objects=jobs
select * from `jobs` where `queue` = 'default' and ((`reserved_at` is null and `available_at` <= 1763800000) or (`reserved_at` <= 1763799910)) order by `id` asc limit 1 for update skip locked

-- @case lv_migrations
-- @expect op=SELECT objects=migrations functions=max
select max(`batch`) as aggregate from `migrations`

-- @case lv_soft_delete_or
-- @expect op=SELECT objects=orders
select * from `orders` where (`status` = 'paid' or `status` = 'refunded') and `orders`.`deleted_at` is null

-- @case mhb_find
-- @expect op=SELECT objects=users
select u1_0.id,u1_0.email,u1_0.name from users u1_0 where u1_0.id=?

-- @case mhb_insert
-- @expect op=INSERT objects=users writes=yes
insert into users (email,name) values (?,?)

-- @case mhb_page
-- @expect op=SELECT objects=orders
select o1_0.id from orders o1_0 where o1_0.customer_id=? limit ?,?

-- @case mhb_table_generator
-- @expect op=SELECT objects=users_seq
select next_val as id_val from users_seq for update

-- @case mhb_table_generator_update
-- @expect op=UPDATE objects=users_seq where=yes
update users_seq set next_val= ? where next_val=?

-- @case mhb_inline
-- @expect op=SELECT objects=users
select u1_0.id,u1_0.email from users u1_0 where u1_0.email='o\'brien@example.com'

-- @case mhb_cj_init
-- @expect op=SELECT objects= functions=
/* mysql-connector-j-8.2.0 (Revision: 06a1f724497fd81c6a659131fda822c9e5085b6c) */SELECT  @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client, @@character_set_connection AS character_set_connection, @@character_set_results AS character_set_results, @@character_set_server AS character_set_server, @@collation_server AS collation_server, @@collation_connection AS collation_connection, @@init_connect AS init_connect, @@interactive_timeout AS interactive_timeout, @@license AS license, @@lower_case_table_names AS lower_case_table_names, @@max_allowed_packet AS max_allowed_packet, @@net_write_timeout AS net_write_timeout, @@performance_schema AS performance_schema, @@sql_mode AS sql_mode, @@system_time_zone AS system_time_zone, @@time_zone AS time_zone, @@transaction_isolation AS transaction_isolation, @@wait_timeout AS wait_timeout

-- @case mhb_cj_autocommit
-- @expect op=SET
SET autocommit=1

-- @case mhb_cj_ping
-- @expect op=SELECT stmts=1
/* ping */ SELECT 1

-- @case mysq_find
-- @expect op=SELECT objects=users stmts=1
SELECT `id`, `firstName`, `createdAt`, `updatedAt` FROM `Users` AS `User` WHERE `User`.`id` = 1;

-- @case mysq_create
-- @expect op=INSERT objects=users writes=yes
INSERT INTO `Users` (`id`,`firstName`,`createdAt`,`updatedAt`) VALUES (DEFAULT,?,?,?);

-- @case mysq_include
-- @expect op=SELECT objects=users,posts joins=1
SELECT `User`.`id`, `User`.`firstName`, `Posts`.`id` AS `Posts.id`, `Posts`.`title` AS `Posts.title` FROM `Users` AS `User` LEFT OUTER JOIN `Posts` AS `Posts` ON `User`.`id` = `Posts`.`UserId`;

-- @case mysq_show_index
-- @expect op=SELECT objects=users
SHOW INDEX FROM `Users`

-- @case mygorm_first
-- @expect op=SELECT objects=users
SELECT * FROM `users` WHERE `users`.`deleted_at` IS NULL ORDER BY `users`.`id` LIMIT 1

-- @case mygorm_create
-- @expect op=INSERT objects=users writes=yes
INSERT INTO `users` (`created_at`,`updated_at`,`deleted_at`,`name`,`age`) VALUES ('2026-11-22 10:00:00.123','2026-11-22 10:00:00.123',NULL,'jinzhu',18)

-- @case mygorm_soft_delete
-- @expect op=UPDATE objects=users where=yes
UPDATE `users` SET `deleted_at`='2026-11-22 10:00:00.123' WHERE `users`.`id` = 10 AND `users`.`deleted_at` IS NULL

-- @case mygorm_database
-- @expect op=SELECT functions=database objects=
SELECT DATABASE()

-- @case mygorm_schemata
-- @expect op=SELECT objects=information_schema.schemata
SELECT SCHEMA_NAME from Information_schema.SCHEMATA where SCHEMA_NAME LIKE 'app%' ORDER BY SCHEMA_NAME='app' DESC,SCHEMA_NAME limit 1

-- @case mygorm_has_table
-- @expect op=SELECT objects=information_schema.tables functions=count
SELECT count(*) FROM information_schema.tables WHERE table_schema = 'app' AND table_name = 'users' AND table_type = 'BASE TABLE'

-- @case mygorm_upsert
-- @expect op=INSERT objects=users writes=yes
INSERT INTO `users` (`name`,`age`,`id`) VALUES ('jinzhu',18,1) ON DUPLICATE KEY UPDATE `name`=VALUES(`name`),`age`=VALUES(`age`)

-- @case my_replace
-- @expect op=REPLACE objects=settings writes=yes
REPLACE INTO settings (`key`, `value`) VALUES ('theme', 'dark')

-- @case my_replace_select
-- @expect op=REPLACE objects=daily_totals,orders writes=yes functions=sum,date,curdate
REPLACE INTO daily_totals (day, total) SELECT DATE(created_at), SUM(total) FROM orders WHERE created_at >= CURDATE() GROUP BY DATE(created_at)

-- @case my_insert_set
-- @expect op=INSERT objects=audit writes=yes functions=now
INSERT INTO audit SET actor = 'cron', action = 'purge', at = NOW()

-- @case my_insert_alias_odku
-- @expect op=INSERT objects=counters writes=yes
INSERT INTO counters (name, hits) VALUES ('home', 1) AS new ON DUPLICATE KEY UPDATE hits = counters.hits + new.hits

-- @case my_update_join
-- @expect op=UPDATE objects=orders,customers where=yes joins=1
UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.vip = 1 WHERE c.lifetime_value > 10000

-- @case my_multi_delete
-- @expect op=DELETE objects=sessions,users where=yes joins=1
DELETE s FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE u.id IS NULL

-- @case my_delete_order_limit
-- @expect op=DELETE objects=logs where=no
DELETE FROM logs ORDER BY id LIMIT 1000

-- @case my_update_limit
-- @expect op=UPDATE objects=tasks where=yes
UPDATE tasks SET worker = 'w1' WHERE worker IS NULL ORDER BY priority DESC LIMIT 5

-- @case my_delete_interval
-- @expect op=DELETE objects=sessions where=yes functions=now
DELETE FROM sessions WHERE last_seen < NOW() - INTERVAL 30 DAY

-- @case my_cross_db
-- @expect op=SELECT objects=shop.orders,crm.customers joins=1
SELECT o.id, c.name FROM shop.orders o JOIN `crm`.`customers` c ON c.id = o.customer_id

-- @case my_case_fold
-- @expect op=SELECT objects=shop.orders
SELECT * FROM `Shop`.`Orders` WHERE `ID` = 3
