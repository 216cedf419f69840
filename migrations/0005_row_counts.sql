CREATE TABLE "row_counts" (
	"table_name" text NOT NULL,
	"shard" smallint NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "row_counts_table_name_shard_pk" PRIMARY KEY("table_name","shard")
);
--> statement-breakpoint
-- Hand-written below (drizzle does not model triggers). Room on each page for the
-- updated row versions, so the constant updates stay HOT and the table stays small.
ALTER TABLE "row_counts" SET (fillfactor = 50);
--> statement-breakpoint
-- One function for every counted table, run once per statement with the rows it
-- changed: a bulk insert of a million rows is one update, not a million. The shard is
-- the backend's: concurrent writers (separate connections) update separate rows.
CREATE FUNCTION "count_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM row_counts WHERE table_name = TG_TABLE_NAME;
	ELSIF TG_OP = 'INSERT' THEN
		INSERT INTO row_counts (table_name, shard, count)
		SELECT TG_TABLE_NAME, pg_backend_pid() % 16, count(*) FROM changed_rows HAVING count(*) > 0
		ON CONFLICT (table_name, shard) DO UPDATE SET count = row_counts.count + excluded.count;
	ELSE
		INSERT INTO row_counts (table_name, shard, count)
		SELECT TG_TABLE_NAME, pg_backend_pid() % 16, -count(*) FROM changed_rows HAVING count(*) > 0
		ON CONFLICT (table_name, shard) DO UPDATE SET count = row_counts.count + excluded.count;
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "customers_count_inserts" AFTER INSERT ON "customers"
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION count_rows();
--> statement-breakpoint
CREATE TRIGGER "customers_count_deletes" AFTER DELETE ON "customers"
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION count_rows();
--> statement-breakpoint
CREATE TRIGGER "customers_count_truncates" AFTER TRUNCATE ON "customers"
	FOR EACH STATEMENT EXECUTE FUNCTION count_rows();
--> statement-breakpoint
CREATE TRIGGER "orders_count_inserts" AFTER INSERT ON "orders"
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION count_rows();
--> statement-breakpoint
CREATE TRIGGER "orders_count_deletes" AFTER DELETE ON "orders"
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION count_rows();
--> statement-breakpoint
CREATE TRIGGER "orders_count_truncates" AFTER TRUNCATE ON "orders"
	FOR EACH STATEMENT EXECUTE FUNCTION count_rows();
--> statement-breakpoint
-- The rows already there. The tables are locked first, so no insert or delete can
-- slip between the triggers' creation and this count.
LOCK TABLE "customers", "orders" IN SHARE MODE;
--> statement-breakpoint
INSERT INTO "row_counts" (table_name, shard, count)
	SELECT 'customers', 0, count(*) FROM "customers"
	UNION ALL SELECT 'orders', 0, count(*) FROM "orders";
