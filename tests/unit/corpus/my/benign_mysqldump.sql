-- What the mysql client sends when it replays mysqldump (8.0) output, one
-- statement per message, and what mysqldump itself asks the server while
-- dumping. Executable comments /*!NNNNN ... */ are code and are analysed as
-- such; here they are ordinary session settings and DDL, not injections.
-- Stored routines and triggers are sent whole (the client's DELIMITER is not
-- part of what reaches the server), semicolons inside BEGIN ... END included.

-- @case md_save_charset
-- @expect op=SET stmts=1 classes= functions=
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */

-- @case md_save_results
-- @expect op=SET stmts=1
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */

-- @case md_save_collation
-- @expect op=SET
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */

-- @case md_set_names
-- @expect op=SET stmts=1
/*!50503 SET NAMES utf8mb4 */

-- @case md_save_tz
-- @expect op=SET
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */

-- @case md_set_tz
-- @expect op=SET
/*!40103 SET TIME_ZONE='+00:00' */

-- @case md_unique_checks
-- @expect op=SET
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */

-- @case md_fk_checks
-- @expect op=SET
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */

-- @case md_sql_mode
-- @expect op=SET
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */

-- @case md_sql_notes
-- @expect op=SET
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */

-- @case md_create_database
-- @expect op=CREATE classes=ddl stmts=1
CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci */ /*!80016 DEFAULT ENCRYPTION='N' */

-- @case md_use
-- @expect op=USE objects= classes=
USE `shop`

-- @case md_drop_table
-- @expect op=DROP classes=ddl objects=wp_posts
DROP TABLE IF EXISTS `wp_posts`

-- @case md_saved_cs
-- @expect op=SET
/*!40101 SET @saved_cs_client     = @@character_set_client */

-- @case md_cs_client
-- @expect op=SET
/*!50503 SET character_set_client = utf8mb4 */

-- @case md_create_table
-- @expect op=CREATE classes=ddl objects=wp_posts functions= stmts=1
CREATE TABLE `wp_posts` (
  `ID` bigint unsigned NOT NULL AUTO_INCREMENT,
  `post_author` bigint unsigned NOT NULL DEFAULT '0',
  `post_date` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  `post_content` longtext COLLATE utf8mb4_unicode_520_ci NOT NULL,
  `post_title` text COLLATE utf8mb4_unicode_520_ci NOT NULL,
  `post_status` varchar(20) COLLATE utf8mb4_unicode_520_ci NOT NULL DEFAULT 'publish',
  `post_name` varchar(200) COLLATE utf8mb4_unicode_520_ci NOT NULL DEFAULT '',
  `post_type` varchar(20) COLLATE utf8mb4_unicode_520_ci NOT NULL DEFAULT 'post',
  PRIMARY KEY (`ID`),
  KEY `post_name` (`post_name`(191)),
  KEY `type_status_date` (`post_type`,`post_status`,`post_date`,`ID`),
  KEY `post_author` (`post_author`)
) ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci

-- @case md_create_table_fk
-- @expect op=CREATE classes=ddl objects=order_items,orders,products functions=
CREATE TABLE `order_items` (
  `id` int NOT NULL AUTO_INCREMENT,
  `order_id` int NOT NULL,
  `product_id` int NOT NULL,
  `qty` smallint unsigned NOT NULL DEFAULT '1',
  `price` decimal(10,2) NOT NULL,
  `created_at` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  KEY `fk_items_order` (`order_id`),
  CONSTRAINT `fk_items_order` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_items_product` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci

-- @case md_create_table_partitioned
-- @expect op=CREATE classes=ddl objects=events stmts=1
CREATE TABLE `events` (
  `id` bigint NOT NULL,
  `created` date NOT NULL,
  PRIMARY KEY (`id`,`created`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
/*!50100 PARTITION BY RANGE (year(`created`))
(PARTITION p2025 VALUES LESS THAN (2026) ENGINE = InnoDB,
 PARTITION p2026 VALUES LESS THAN (2027) ENGINE = InnoDB,
 PARTITION pmax VALUES LESS THAN MAXVALUE ENGINE = InnoDB) */

-- @case md_restore_cs
-- @expect op=SET
/*!40101 SET character_set_client = @saved_cs_client */

-- @case md_lock_write
-- @expect op=LOCK classes=admin objects=wp_posts
LOCK TABLES `wp_posts` WRITE

-- @case md_disable_keys
-- @expect op=ALTER classes=ddl objects=wp_posts stmts=1
/*!40000 ALTER TABLE `wp_posts` DISABLE KEYS */

-- @case md_extended_insert
-- @expect op=INSERT objects=wp_posts writes=yes stmts=1 functions=
INSERT INTO `wp_posts` VALUES (1,1,'2026-01-01 00:00:00','Welcome to WordPress. This is your first post. Edit or delete it, then start writing!','Hello world!','publish','hello-world','post'),(2,1,'2026-01-01 00:00:00','<p>Use \'single\' and \"double\" quotes; -- and # and /* freely */</p>\r\n','Quotes; test','publish','quotes-test','post'),(3,1,'2026-01-02 00:00:00','SELECT * FROM wp_users WHERE 1=1 OR \'a\'=\'a\'','SQL in content','draft','sql-in-content','post')

-- @case md_enable_keys
-- @expect op=ALTER classes=ddl objects=wp_posts
/*!40000 ALTER TABLE `wp_posts` ENABLE KEYS */

-- @case md_unlock
-- @expect classes=admin
UNLOCK TABLES

-- @case md_view_placeholder
-- @expect op=CREATE classes=ddl stmts=1
/*!50001 CREATE VIEW `v_order_totals` AS SELECT 
 1 AS `customer_id`,
 1 AS `total`*/

-- @case md_view_drop
-- @expect op=DROP classes=ddl objects=v_order_totals
/*!50001 DROP VIEW IF EXISTS `v_order_totals`*/

-- @case md_view_definition
-- @expect op=CREATE classes=ddl objects=v_order_totals,orders functions=sum stmts=1
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
/*!50001 VIEW `v_order_totals` AS select `o`.`customer_id` AS `customer_id`,sum(`o`.`total`) AS `total` from `orders` `o` group by `o`.`customer_id` */

-- @case md_trigger_sql_mode
-- @expect op=SET
/*!50003 SET sql_mode              = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION' */

-- @case md_trigger
-- @expect op=CREATE classes=ddl stmts=1
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `orders_bi` BEFORE INSERT ON `orders` FOR EACH ROW BEGIN
  SET NEW.created_at = NOW();
  IF NEW.total < 0 THEN
    SET NEW.total = 0;
  END IF;
END */

-- @case md_procedure
-- @expect op=CREATE classes=ddl stmts=1
CREATE DEFINER=`root`@`localhost` PROCEDURE `archive_orders`(IN cutoff DATE)
BEGIN
  INSERT INTO orders_archive SELECT * FROM orders WHERE created < cutoff;
  DELETE FROM orders WHERE created < cutoff;
END

-- @case md_function
-- @expect op=CREATE classes=ddl stmts=1
CREATE DEFINER=`root`@`localhost` FUNCTION `order_total`(oid INT) RETURNS decimal(10,2)
    READS SQL DATA
BEGIN
  DECLARE t DECIMAL(10,2);
  SELECT SUM(qty * price) INTO t FROM order_items WHERE order_id = oid;
  RETURN IFNULL(t, 0);
END

-- @case md_event
-- @expect op=CREATE classes=ddl stmts=1
/*!50106 CREATE*/ /*!50117 DEFINER=`root`@`localhost`*/ /*!50106 EVENT `purge_sessions` ON SCHEDULE EVERY 1 HOUR STARTS '2026-01-01 00:00:00' ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM sessions WHERE expires < NOW() */

-- @case md_restore_tz
-- @expect op=SET
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */

-- @case md_restore_mode
-- @expect op=SET
/*!40101 SET SQL_MODE=@OLD_SQL_MODE */

-- @case md_restore_fk
-- @expect op=SET
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */

-- @case md_restore_unique
-- @expect op=SET
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */

-- @case md_restore_charset
-- @expect op=SET
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */

-- @case md_restore_notes
-- @expect op=SET
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */

-- @case md_q_files
-- @expect op=SELECT objects=information_schema.files
SELECT LOGFILE_GROUP_NAME, FILE_NAME, TOTAL_EXTENTS, INITIAL_SIZE, ENGINE, EXTRA FROM INFORMATION_SCHEMA.FILES WHERE FILE_TYPE = 'UNDO LOG' AND FILE_NAME IS NOT NULL AND LOGFILE_GROUP_NAME IS NOT NULL GROUP BY LOGFILE_GROUP_NAME, FILE_NAME, ENGINE, TOTAL_EXTENTS, INITIAL_SIZE ORDER BY LOGFILE_GROUP_NAME

-- @case md_q_gtid
-- @expect op=SELECT
SHOW VARIABLES LIKE 'gtid\_mode'

-- @case md_q_histograms
-- @expect op=SELECT objects=information_schema.column_statistics functions=json_extract
SELECT COLUMN_NAME,                       JSON_EXTRACT(HISTOGRAM, '$."number-of-buckets-specified"')                FROM information_schema.COLUMN_STATISTICS                WHERE SCHEMA_NAME = 'shop' AND TABLE_NAME = 'orders';

-- @case md_q_show_create
-- @expect op=SELECT objects=orders
SHOW CREATE TABLE `orders`

-- @case md_q_fields
-- @expect op=SELECT objects=orders
show fields from `orders`

-- @case md_q_select_all
-- @expect op=SELECT objects=orders functions=
SELECT /*!40001 SQL_NO_CACHE */ * FROM `orders`

-- @case md_q_triggers
-- @expect op=SELECT
SHOW TRIGGERS LIKE 'orders'

-- @case md_q_flush_local
-- @expect classes=admin
FLUSH /*!40101 LOCAL */ TABLES

-- @case md_q_flush_read_lock
-- @expect classes=admin
FLUSH TABLES WITH READ LOCK

-- @case md_q_isolation
-- @expect op=SET
SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ

-- @case md_q_snapshot
-- @expect op=BEGIN stmts=1
START TRANSACTION /*!40100 WITH CONSISTENT SNAPSHOT */

-- @case md_q_status
-- @expect op=SELECT
SHOW STATUS LIKE 'binlog_snapshot_%'

-- @case md_q_savepoint
-- @expect op=SAVEPOINT
SAVEPOINT sp

-- @case md_q_rollback_sp
-- @expect op=ROLLBACK
ROLLBACK TO SAVEPOINT sp

-- @case md_q_release_sp
-- @expect op=COMMIT
RELEASE SAVEPOINT sp

-- @case md_q_gtid_executed
-- @expect op=SELECT objects= functions=
SELECT @@GLOBAL.GTID_EXECUTED

-- @case md_q_table_status
-- @expect op=SELECT
show table status like 'orders'

-- @case md_q_routines
-- @expect op=SELECT objects=information_schema.routines
SELECT ROUTINE_NAME FROM INFORMATION_SCHEMA.ROUTINES WHERE ROUTINE_SCHEMA = 'shop' AND ROUTINE_TYPE = 'PROCEDURE'

-- @case md_q_show_create_proc
-- @expect op=SELECT
SHOW CREATE PROCEDURE `archive_orders`
