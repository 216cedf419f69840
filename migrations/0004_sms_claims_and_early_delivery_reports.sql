CREATE TABLE "sms_early_delivery_reports" (
	"provider" text NOT NULL,
	"provider_message_id" text NOT NULL,
	"status" text NOT NULL,
	"last_error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sms_early_delivery_reports_provider_provider_message_id_pk" PRIMARY KEY("provider","provider_message_id"),
	CONSTRAINT "sms_early_delivery_reports_status_known" CHECK ("sms_early_delivery_reports"."status" in ('delivered', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "sms_messages" ADD COLUMN "claimed_by" integer;--> statement-breakpoint
ALTER TABLE "sms_messages" ADD COLUMN "send_ends_by" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "sms_early_delivery_reports_received_at_idx" ON "sms_early_delivery_reports" USING btree ("received_at");