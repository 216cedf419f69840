CREATE INDEX "orders_amount_id_idx" ON "orders" USING btree ("amount","id");--> statement-breakpoint
CREATE INDEX "orders_item_trgm_idx" ON "orders" USING gin ("item" gin_trgm_ops);