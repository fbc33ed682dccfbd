-- WordPress core and WooCommerce queries as wpdb sends them (values escaped
-- and interpolated client-side): WHERE 1=1 from WP_Query, OR between
-- search columns, backticked inserts and ON DUPLICATE KEY UPDATE for options
-- and sessions, PHP-serialized values full of quotes and semicolons, and
-- dbDelta table creation with prefix indexes.

-- @case wp_autoload_options
-- @expect op=SELECT objects=wp_options functions= stmts=1
SELECT option_name, option_value FROM wp_options WHERE autoload = 'yes'

-- @case wp_option_lookup
-- @expect op=SELECT objects=wp_options
SELECT option_value FROM wp_options WHERE option_name = 'siteurl' LIMIT 1

-- @case wp_option_lookup_other
-- @expect same_fp=wp_option_lookup
SELECT option_value FROM wp_options WHERE option_name = '_transient_timeout_wc_count_comments' LIMIT 1

-- @case wp_user_by_login
-- @expect op=SELECT objects=wp_users
SELECT * FROM wp_users WHERE user_login = 'admin' LIMIT 1

-- @case wp_usermeta
-- @expect op=SELECT objects=wp_usermeta max_in_list=1
SELECT user_id, meta_key, meta_value FROM wp_usermeta WHERE user_id IN (1) ORDER BY umeta_id ASC

-- @case wp_main_query
-- @expect op=SELECT objects=wp_posts functions= stmts=1
SELECT SQL_CALC_FOUND_ROWS  wp_posts.ID FROM wp_posts  WHERE 1=1  AND ((wp_posts.post_type = 'post' AND (wp_posts.post_status = 'publish' OR wp_posts.post_status = 'private')))  ORDER BY wp_posts.post_date DESC LIMIT 0, 10

-- @case wp_found_rows
-- @expect op=SELECT functions=found_rows objects=
SELECT FOUND_ROWS()

-- @case wp_posts_by_ids
-- @expect op=SELECT objects=wp_posts max_in_list=3
SELECT wp_posts.* FROM wp_posts WHERE ID IN (12,15,18)

-- @case wp_terms
-- @expect op=SELECT objects=wp_terms,wp_term_taxonomy,wp_term_relationships joins=2 max_in_list=3
SELECT t.*, tt.* FROM wp_terms AS t  INNER JOIN wp_term_taxonomy AS tt ON t.term_id = tt.term_id INNER JOIN wp_term_relationships AS tr ON tr.term_taxonomy_id = tt.term_taxonomy_id WHERE tt.taxonomy IN ('category', 'post_tag', 'post_format') AND tr.object_id IN (12, 15, 18) ORDER BY t.name ASC

-- @case wp_postmeta
-- @expect op=SELECT objects=wp_postmeta
SELECT post_id, meta_key, meta_value FROM wp_postmeta WHERE post_id IN (12,15,18) ORDER BY meta_id ASC

-- @case wp_option_upsert
-- @expect op=INSERT objects=wp_options writes=yes
INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('_transient_doing_cron', '1763800000.1234560680389404296875', 'yes') ON DUPLICATE KEY UPDATE `option_name` = VALUES(`option_name`), `option_value` = VALUES(`option_value`), `autoload` = VALUES(`autoload`)

-- @case wp_cron_update
-- @expect op=UPDATE objects=wp_options where=yes
UPDATE `wp_options` SET `option_value` = 'a:3:{i:1763800000;a:1:{s:16:\"wp_version_check\";a:1:{s:32:\"40cd750bba9870f18aada2478b24840a\";a:3:{s:8:\"schedule\";s:10:\"twicedaily\";s:4:\"args\";a:0:{}s:8:\"interval\";i:43200;}}}s:7:\"version\";i:2;}' WHERE `option_name` = 'cron'

-- @case wp_transient_delete
-- @expect op=DELETE objects=wp_options where=yes
DELETE FROM `wp_options` WHERE `option_name` = '_transient_timeout_feed_9bbd59226dc36b9b26cd43f15694c5c3'

-- @case wp_comment_count
-- @expect op=SELECT objects=wp_comments functions=count
SELECT COUNT(*) FROM wp_comments WHERE comment_approved = '0'

-- @case wp_comment_stats
-- @expect op=SELECT objects=wp_comments functions=count
SELECT comment_approved, COUNT( * ) AS total FROM wp_comments  GROUP BY comment_approved

-- @case wp_insert_post
-- @expect op=INSERT objects=wp_posts writes=yes functions=
INSERT INTO `wp_posts` (`post_author`, `post_date`, `post_date_gmt`, `post_content`, `post_content_filtered`, `post_title`, `post_excerpt`, `post_status`, `post_type`, `comment_status`, `ping_status`, `post_password`, `post_name`, `to_ping`, `pinged`, `post_modified`, `post_modified_gmt`, `post_parent`, `menu_order`, `post_mime_type`, `guid`) VALUES (1, '2026-11-22 10:00:00', '2026-11-22 09:00:00', '<!-- wp:paragraph -->\n<p>Use <code>SELECT * FROM t WHERE a = \'1\' OR 1=1; -- </code> as an example.</p>\n<!-- /wp:paragraph -->', '', 'SQL injection 101', '', 'draft', 'post', 'open', 'open', '', '', '', '', '2026-11-22 10:00:00', '2026-11-22 09:00:00', 0, 0, '', '')

-- @case wp_thumbnail_query
-- @expect op=SELECT objects=wp_posts,wp_postmeta joins=1
SELECT   wp_posts.ID FROM wp_posts  LEFT JOIN wp_postmeta ON ( wp_posts.ID = wp_postmeta.post_id ) WHERE 1=1  AND ( wp_postmeta.meta_key = '_thumbnail_id' ) AND wp_posts.post_type = 'post' AND ((wp_posts.post_status = 'publish')) GROUP BY wp_posts.ID ORDER BY wp_posts.menu_order ASC LIMIT 0, 5

-- @case wp_post_by_name
-- @expect op=SELECT objects=wp_posts
SELECT * FROM wp_posts WHERE post_name = 'hello-world' AND post_type = 'post'

-- @case wp_pages_by_path
-- @expect op=SELECT objects=wp_posts max_in_list=2
SELECT ID, post_name, post_parent, post_type FROM wp_posts WHERE post_name IN ('about','team') AND post_type IN ('page','attachment')

-- @case wp_show_columns
-- @expect op=SELECT objects=wp_options
SHOW FULL COLUMNS FROM `wp_options`

-- @case wp_sql_mode_read
-- @expect op=SELECT objects= functions=
SELECT @@SESSION.sql_mode

-- @case wp_sql_mode_set
-- @expect op=SET classes=
SET SESSION sql_mode='NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION'

-- @case wp_set_names
-- @expect op=SET
SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_520_ci'

-- @case wp_page_query
-- @expect op=SELECT objects=wp_posts
SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND wp_posts.post_name = 'sample-page' AND wp_posts.post_type = 'page' ORDER BY wp_posts.post_date DESC

-- @case wp_archives
-- @expect op=SELECT objects=wp_posts functions=year,month
SELECT DISTINCT YEAR(post_date) AS year, MONTH(post_date) AS month FROM wp_posts WHERE post_type = 'post' AND post_status = 'publish' ORDER BY post_date DESC

-- @case wp_search
-- @expect op=SELECT objects=wp_posts
SELECT SQL_CALC_FOUND_ROWS  wp_posts.ID FROM wp_posts  WHERE 1=1  AND (((wp_posts.post_title LIKE '%union select%') OR (wp_posts.post_excerpt LIKE '%union select%') OR (wp_posts.post_content LIKE '%union select%')))  AND (wp_posts.post_password = '')  AND ((wp_posts.post_type = 'post' AND (wp_posts.post_status = 'publish')))  ORDER BY wp_posts.post_title LIKE '%union select%' DESC, wp_posts.post_date DESC LIMIT 0, 10

-- @case wp_search_escaped_quote
-- @expect op=SELECT objects=wp_posts
SELECT SQL_CALC_FOUND_ROWS  wp_posts.ID FROM wp_posts  WHERE 1=1  AND (((wp_posts.post_title LIKE '%it\'s or 1=1%') OR (wp_posts.post_content LIKE '%it\'s or 1=1%')))  ORDER BY wp_posts.post_date DESC LIMIT 0, 10

-- @case wp_search_escaped_wildcards
-- @expect op=SELECT objects=wp_posts
SELECT ID FROM wp_posts WHERE post_title LIKE '%100\\% natural\\_%' AND post_status = 'publish'

-- @case wp_wc_session
-- @expect op=INSERT objects=wp_woocommerce_sessions writes=yes
INSERT INTO wp_woocommerce_sessions (`session_key`, `session_value`, `session_expiry`) VALUES ('t_6c1e9a0f2b7d4e3a', 'a:2:{s:4:\"cart\";s:6:\"a:0:{}\";s:8:\"customer\";s:31:\"a:1:{s:2:\"id\";s:1:\"0\";}\";}', 1763900000) ON DUPLICATE KEY UPDATE `session_value` = VALUES(`session_value`), `session_expiry` = VALUES(`session_expiry`)

-- @case wp_wc_orders
-- @expect op=SELECT objects=wp_wc_orders,wp_wc_order_addresses joins=1
SELECT o.id, o.status, o.total_amount, a.email FROM wp_wc_orders o LEFT JOIN wp_wc_order_addresses a ON a.order_id = o.id AND a.address_type = 'billing' WHERE o.type = 'shop_order' AND o.status IN ('wc-processing','wc-on-hold') ORDER BY o.date_created_gmt DESC LIMIT 20

-- @case wp_wc_stats
-- @expect op=SELECT objects=wp_wc_order_stats functions=sum,count,date_format
SELECT DATE_FORMAT(date_created, '%Y-%m-%d') AS day, SUM(net_total) AS revenue, COUNT(order_id) AS orders FROM wp_wc_order_stats WHERE status NOT IN ('wc-trash','wc-failed','wc-cancelled') AND date_created >= '2026-11-01 00:00:00' GROUP BY day

-- @case wp_dbdelta_create
-- @expect op=CREATE classes=ddl objects=wp_my_plugin_log functions=
CREATE TABLE wp_my_plugin_log (
  id bigint(20) unsigned NOT NULL auto_increment,
  name varchar(255) NOT NULL default '',
  message longtext NOT NULL,
  created datetime NOT NULL default '0000-00-00 00:00:00',
  PRIMARY KEY  (id),
  KEY name (name(191)),
  KEY created (created)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci

-- @case wp_show_tables_like
-- @expect op=SELECT
SHOW TABLES LIKE 'wp\\_my\\_plugin\\_log'

-- @case wp_describe
-- @expect op=SELECT objects=wp_my_plugin_log
DESCRIBE wp_my_plugin_log;

-- @case wp_dbdelta_alter
-- @expect op=ALTER classes=ddl objects=wp_my_plugin_log functions=
ALTER TABLE wp_my_plugin_log ADD COLUMN level varchar(20) NOT NULL DEFAULT 'info'

-- @case wp_user_insert
-- @expect op=INSERT objects=wp_users writes=yes
INSERT INTO `wp_users` (`user_pass`, `user_nicename`, `user_email`, `user_url`, `user_registered`, `user_activation_key`, `display_name`, `user_login`) VALUES ('$P$BZlPX7NIx8MYpXokBW2AGsN7i.aUOt0', 'jane-o-neil', 'jane@example.com', '', '2026-11-22 10:00:00', '', 'Jane O\'Neil', 'jane')

-- @case wp_usermeta_insert
-- @expect op=INSERT objects=wp_usermeta
INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (7, 'wp_capabilities', 'a:1:{s:10:\"subscriber\";b:1;}')

-- @case wp_menu_items
-- @expect op=SELECT objects=wp_posts,wp_term_relationships joins=1
SELECT wp_posts.* FROM wp_posts  LEFT JOIN wp_term_relationships ON (wp_posts.ID = wp_term_relationships.object_id) WHERE 1=1  AND (
  wp_term_relationships.term_taxonomy_id IN (2)
) AND wp_posts.post_type = 'nav_menu_item' AND ((wp_posts.post_status = 'publish')) GROUP BY wp_posts.ID ORDER BY wp_posts.menu_order ASC

-- @case wp_meta_query
-- @expect op=SELECT objects=wp_posts,wp_postmeta joins=2
SELECT wp_posts.ID FROM wp_posts INNER JOIN wp_postmeta ON ( wp_posts.ID = wp_postmeta.post_id ) INNER JOIN wp_postmeta AS mt1 ON ( wp_posts.ID = mt1.post_id ) WHERE 1=1 AND ( ( wp_postmeta.meta_key = 'price' AND CAST(wp_postmeta.meta_value AS SIGNED) BETWEEN '10' AND '50' ) OR ( mt1.meta_key = 'on_sale' AND mt1.meta_value = '1' ) ) AND wp_posts.post_type = 'product' GROUP BY wp_posts.ID

-- @case wp_update_counts
-- @expect op=UPDATE objects=wp_term_taxonomy where=yes
UPDATE `wp_term_taxonomy` SET `count` = 12 WHERE `term_taxonomy_id` = 3

-- @case wp_delete_postmeta
-- @expect op=DELETE objects=wp_postmeta where=yes
DELETE FROM wp_postmeta WHERE post_id = 42 AND meta_key = '_edit_lock'

-- @case wp_last_insert
-- @expect op=SELECT functions=last_insert_id
SELECT LAST_INSERT_ID()

-- @case wp_get_lock
-- @expect op=SELECT functions=get_lock
SELECT GET_LOCK('wp_upgrader_lock', 30)

-- @case wp_check_version
-- @expect op=SELECT functions=version
SELECT VERSION()

-- @case wp_charset_check
-- @expect op=SELECT objects=information_schema.tables functions=
SELECT table_collation FROM information_schema.TABLES WHERE table_schema = 'wordpress' AND table_name = 'wp_posts'

-- @case wp_optimize
-- @expect objects=wp_options
OPTIMIZE TABLE wp_options

-- @case wp_repair
-- @expect objects=wp_posts
REPAIR TABLE wp_posts

-- @case wp_check
-- @expect objects=wp_posts
CHECK TABLE wp_posts

-- @case wp_links_or
-- @expect op=SELECT objects=wp_posts
SELECT ID, post_title FROM wp_posts WHERE post_type = 'page' AND (post_status = 'publish' OR post_status = 'draft') AND (post_parent = 0 OR post_parent = 12)
