ALTER TABLE "sms_messages" DROP CONSTRAINT "sms_messages_order_id_orders_id_fk";
