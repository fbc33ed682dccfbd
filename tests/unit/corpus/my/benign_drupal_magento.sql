-- Drupal 10 (its MySQL driver sets sql_mode ANSI, so identifiers are
-- "double-quoted": these cases run with ansi_quotes) and Magento 2 (Zend_Db:
-- backticks, IN( without a space, core_config_data and EAV lookups).

-- @case dr_key_value
-- @expect opts=ansi_quotes op=SELECT objects=key_value max_in_list=2 functions=
SELECT "name", "value" FROM "key_value" WHERE "name" IN ('system.theme', 'core.extension') AND "collection" = 'config'

-- @case dr_cache_get
-- @expect opts=ansi_quotes op=SELECT objects=cache_config max_in_list=1
SELECT "cid", "data", "created", "expire", "serialized", "tags", "checksum" FROM "cache_config" WHERE "cid" IN ( 'system.site' ) ORDER BY "cid"

-- @case dr_entity_query
-- @expect opts=ansi_quotes op=SELECT objects=node,node_field_data joins=1
SELECT "base_table"."vid" AS "vid", "base_table"."nid" AS "nid" FROM "node" "base_table" INNER JOIN "node_field_data" "node_field_data" ON "node_field_data"."nid" = "base_table"."nid" WHERE ("node_field_data"."status" = '1') AND ("node_field_data"."type" = 'article') ORDER BY "node_field_data"."created" DESC LIMIT 10 OFFSET 0

-- @case dr_cache_set
-- @expect opts=ansi_quotes op=INSERT objects=cache_data writes=yes
INSERT INTO "cache_data" ("cid", "expire", "created", "tags", "checksum", "data", "serialized") VALUES ('route:[language]=en:/node/1:', '-1', '1763800000.123', 'route_match', '12', 'a:3:{s:4:"path";s:7:"/node/1";}', '1') ON DUPLICATE KEY UPDATE "cid" = VALUES("cid"), "expire" = VALUES("expire"), "created" = VALUES("created"), "tags" = VALUES("tags"), "checksum" = VALUES("checksum"), "data" = VALUES("data"), "serialized" = VALUES("serialized")

-- @case dr_semaphore_release
-- @expect opts=ansi_quotes op=DELETE objects=semaphore where=yes
DELETE FROM "semaphore" WHERE ("name" = 'cron') AND ("value" = '1234567890abcdef')

-- @case dr_queue_claim
-- @expect opts=ansi_quotes op=UPDATE objects=queue where=yes
UPDATE "queue" SET "expire" = '1763800030' WHERE ("item_id" = '5') AND ("expire" = '0')

-- @case dr_sessions
-- @expect opts=ansi_quotes op=SELECT objects=sessions
SELECT "session" FROM "sessions" WHERE "sid" = 'Zm9vYmFy-session-id' LIMIT 0, 1

-- @case dr_watchdog
-- @expect opts=ansi_quotes op=INSERT objects=watchdog writes=yes
INSERT INTO "watchdog" ("uid", "type", "message", "variables", "severity", "link", "location", "referer", "hostname", "timestamp") VALUES ('0', 'page not found', '@uri', 'a:1:{s:4:"@uri";s:24:"/index.php?id=1'' OR 1=1";}', '4', '', 'http://example.com/index.php?id=1%27%20OR%201=1', '', '198.51.100.7', '1763800000')

-- @case dr_router
-- @expect opts=ansi_quotes op=SELECT objects=router max_in_list=3
SELECT "name", "route", "fit" FROM "router" WHERE "pattern_outline" IN ( '/node/%', '/node/1', '/node' ) AND "number_parts" >= '2' ORDER BY "fit" DESC, "name" ASC

-- @case dr_path_alias
-- @expect opts=ansi_quotes op=SELECT objects=path_alias functions=
SELECT "base_table"."id" AS "id", "base_table"."path" AS "path", "base_table"."alias" AS "alias", "base_table"."langcode" AS "langcode" FROM "path_alias" "base_table" WHERE ("base_table"."status" = '1') AND ("base_table"."alias" LIKE '/about' ESCAPE '\\') AND ("base_table"."langcode" IN ('en', 'und')) ORDER BY "base_table"."langcode" ASC, "base_table"."id" DESC

-- @case dr_sql_mode
-- @expect op=SET
SET sql_mode = 'ANSI,TRADITIONAL'

-- @case dr_isolation
-- @expect op=SET
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED

-- @case dr_table_exists
-- @expect opts=ansi_quotes op=SELECT objects=information_schema.tables
SELECT 1 FROM "information_schema"."tables" WHERE "table_schema" = DATABASE() AND "table_name" = 'node'

-- @case dr_merge_lock
-- @expect opts=ansi_quotes op=INSERT objects=semaphore
INSERT INTO "semaphore" ("name", "value", "expire") VALUES ('state:Drupal\\Core\\Cache\\CacheCollector', '7d0c2b9e', '1763800030.5')

-- @case dr7_unquoted
-- @expect op=SELECT objects=sessions,users joins=1
SELECT u.*, s.* FROM users u INNER JOIN sessions s ON u.uid = s.uid WHERE s.sid = 'abc123'

-- @case mg_store_website
-- @expect op=SELECT objects=store_website functions=
SELECT `main_table`.* FROM `store_website` AS `main_table`

-- @case mg_product_price
-- @expect op=SELECT objects=catalog_product_entity,catalog_product_index_price joins=1 max_in_list=3 functions=if,least
SELECT `e`.*, `price_index`.`price`, `price_index`.`tax_class_id`, `price_index`.`final_price`, IF(price_index.tier_price IS NOT NULL, LEAST(price_index.min_price, price_index.tier_price), price_index.min_price) AS `minimal_price` FROM `catalog_product_entity` AS `e` INNER JOIN `catalog_product_index_price` AS `price_index` ON price_index.entity_id = e.entity_id AND price_index.website_id = '1' AND price_index.customer_group_id = 0 WHERE (e.entity_id IN(12, 13, 14)) LIMIT 20

-- @case mg_config
-- @expect op=SELECT objects=core_config_data
SELECT `core_config_data`.* FROM `core_config_data` WHERE (path = 'web/secure/base_url') AND (scope = 'default')

-- @case mg_eav_attribute
-- @expect op=SELECT objects=eav_attribute
SELECT `eav_attribute`.* FROM `eav_attribute` WHERE (`eav_attribute`.`attribute_code` = 'name') AND (entity_type_id = 4)

-- @case mg_order_state
-- @expect op=UPDATE objects=sales_order where=yes
UPDATE `sales_order` SET `state` = 'processing', `status` = 'processing', `updated_at` = '2026-11-22 10:00:00' WHERE (entity_id = 100)

-- @case mg_url_rewrite
-- @expect op=SELECT objects=url_rewrite max_in_list=2
SELECT `url_rewrite`.* FROM `url_rewrite` WHERE (`request_path` IN ('women/tops.html', 'women/tops.html/')) AND (`store_id` IN (1))

-- @case mg_visitor
-- @expect op=INSERT objects=customer_visitor writes=yes
INSERT INTO `customer_visitor` (`session_id`, `last_visit_at`) VALUES ('a1b2c3d4e5', '2026-11-22 10:00:00') ON DUPLICATE KEY UPDATE `last_visit_at` = VALUES(`last_visit_at`)

-- @case mg_indexer_insert_select
-- @expect op=INSERT objects=cataloginventory_stock_status_idx,cataloginventory_stock_item,catalog_product_entity joins=1 writes=yes
INSERT INTO `cataloginventory_stock_status_idx` (`product_id`, `website_id`, `stock_id`, `qty`, `stock_status`) SELECT `e`.`entity_id`, `cisi`.`website_id`, `cisi`.`stock_id`, `cisi`.`qty`, IF(cisi.use_config_manage_stock = 0 AND cisi.manage_stock = 0, 1, cisi.is_in_stock) FROM `catalog_product_entity` AS `e` INNER JOIN `cataloginventory_stock_item` AS `cisi` ON cisi.product_id = e.entity_id WHERE (e.type_id = 'simple') ON DUPLICATE KEY UPDATE `qty` = VALUES(`qty`), `stock_status` = VALUES(`stock_status`)

-- @case mg_truncate_tmp
-- @expect op=TRUNCATE classes=ddl objects=catalog_product_index_price_tmp
TRUNCATE TABLE `catalog_product_index_price_tmp`

-- @case mg_quote_item
-- @expect op=SELECT objects=quote_item
SELECT `main_table`.* FROM `quote_item` AS `main_table` WHERE (`quote_id` = '77') ORDER BY `item_id` ASC

-- @case mg_cron_schedule
-- @expect op=UPDATE objects=cron_schedule where=yes
UPDATE `cron_schedule` SET `status` = 'running', `executed_at` = '2026-11-22 10:00:01' WHERE (schedule_id = 4711) AND (status = 'pending')

-- @case mg_sequence_insert
-- @expect op=INSERT objects=sequence_order_1
INSERT INTO `sequence_order_1` () VALUES ()

-- @case mg_customer_grid
-- @expect op=SELECT objects=customer_grid_flat functions=count subquery_depth=1
SELECT COUNT(*) FROM (SELECT `main_table`.* FROM `customer_grid_flat` AS `main_table` WHERE (((`billing_full` LIKE '%o\'brien%') OR (`shipping_full` LIKE '%o\'brien%') OR (`email` LIKE '%o\'brien%')))) AS `t`

-- @case mg_inventory_reservation
-- @expect op=INSERT objects=inventory_reservation writes=yes
INSERT INTO `inventory_reservation` (`stock_id`,`sku`,`quantity`,`metadata`) VALUES (1, '24-MB01', -1.0000, '{"event_type":"order_placed","object_type":"order","object_id":"","object_increment_id":"000000042"}')

-- @case mg_flag
-- @expect op=SELECT objects=flag
SELECT `flag`.* FROM `flag` WHERE (`flag`.`flag_code`='catalog_product_price_index_update')

-- @case mg_session_write
-- @expect op=INSERT objects=session
INSERT INTO `session` (`session_id`, `session_expires`, `session_data`) VALUES ('k2v5q0bg', 1763803600, 'X19mb3JtX2tleXxzOjE2OiJabVJ5') ON DUPLICATE KEY UPDATE `session_expires` = VALUES(`session_expires`), `session_data` = VALUES(`session_data`)

-- @case mg_staging_straight_join
-- @expect op=SELECT objects=catalog_category_product,catalog_product_entity joins=1
SELECT STRAIGHT_JOIN `ccp`.`product_id` FROM `catalog_category_product` AS `ccp` INNER JOIN `catalog_product_entity` AS `cpe` ON cpe.entity_id = ccp.product_id WHERE (ccp.category_id = 3)

-- @case mg_index_hint
-- @expect op=SELECT objects=sales_order_grid
SELECT `main_table`.* FROM `sales_order_grid` AS `main_table` FORCE INDEX (SALES_ORDER_GRID_CREATED_AT) WHERE (`created_at` >= '2026-11-01 00:00:00') ORDER BY `created_at` DESC LIMIT 20
