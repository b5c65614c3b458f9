ALTER TABLE "customer_interactions" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "customer_interactions" ADD COLUMN "updated_at" timestamp with time zone;