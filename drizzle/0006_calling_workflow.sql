CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dispositions" (
	"code" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"contacted" boolean DEFAULT false NOT NULL,
	"right_party_contact" boolean DEFAULT false NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 100 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payment_promises" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"loan_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"interaction_id" uuid,
	"amount" numeric(14, 2) NOT NULL,
	"due_date" date NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_promises_status_check" CHECK ("payment_promises"."status" in ('pending', 'kept', 'broken', 'cancelled')),
	CONSTRAINT "payment_promises_amount_check" CHECK ("payment_promises"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "customer_phone_flags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"phone" text NOT NULL,
	"reason" text DEFAULT 'wrong_number' NOT NULL,
	"interaction_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customer_interactions" ADD COLUMN "callback_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customer_interactions" ADD COLUMN "disposition_trace" jsonb;--> statement-breakpoint
ALTER TABLE "customer_interactions" ADD COLUMN "api_key_id" uuid;--> statement-breakpoint
ALTER TABLE "customer_interactions" ADD COLUMN "request_hash" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_promises" ADD CONSTRAINT "payment_promises_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_promises" ADD CONSTRAINT "payment_promises_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_promises" ADD CONSTRAINT "payment_promises_interaction_id_customer_interactions_id_fk" FOREIGN KEY ("interaction_id") REFERENCES "public"."customer_interactions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_promises" ADD CONSTRAINT "payment_promises_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_phone_flags" ADD CONSTRAINT "customer_phone_flags_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "payment_promises_loan_status_idx" ON "payment_promises" USING btree ("loan_id","status");--> statement-breakpoint
CREATE INDEX "payment_promises_customer_status_idx" ON "payment_promises" USING btree ("customer_id","status","due_date");--> statement-breakpoint
CREATE INDEX "payment_promises_pending_due_idx" ON "payment_promises" USING btree ("due_date") WHERE "payment_promises"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "customer_phone_flags_customer_phone_key" ON "customer_phone_flags" USING btree ("customer_id","phone");--> statement-breakpoint
CREATE INDEX "customer_interactions_callback_idx" ON "customer_interactions" USING btree ("callback_at") WHERE "customer_interactions"."callback_at" is not null;