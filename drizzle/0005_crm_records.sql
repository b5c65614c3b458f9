CREATE TABLE "customer_interactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"loan_id" uuid,
	"agent_id" uuid,
	"channel" text NOT NULL,
	"direction" text NOT NULL,
	"call_id" text,
	"started_at" timestamp with time zone NOT NULL,
	"duration_seconds" integer,
	"disposition" text,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_interactions_channel_check" CHECK ("customer_interactions"."channel" in ('call', 'sms', 'email', 'visit', 'note')),
	CONSTRAINT "customer_interactions_direction_check" CHECK ("customer_interactions"."direction" in ('inbound', 'outbound')),
	CONSTRAINT "customer_interactions_duration_check" CHECK ("customer_interactions"."duration_seconds" is null or "customer_interactions"."duration_seconds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"external_ref" text,
	"full_name" text NOT NULL,
	"national_id" text,
	"date_of_birth" date,
	"phone" text NOT NULL,
	"alt_phone" text,
	"email" text,
	"address" text,
	"city" text,
	"employer" text,
	"monthly_income" numeric(14, 2),
	"preferred_language" text,
	"timezone" text DEFAULT 'Africa/Algiers' NOT NULL,
	"do_not_call" boolean DEFAULT false NOT NULL,
	"notes" text,
	"oldest_due_date" date,
	"total_overdue" numeric(14, 2) DEFAULT '0' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"loan_number" text NOT NULL,
	"product_name" text NOT NULL,
	"principal" numeric(14, 2) NOT NULL,
	"interest_rate" numeric(7, 4) DEFAULT '0' NOT NULL,
	"term_months" integer NOT NULL,
	"installment_amount" numeric(14, 2) NOT NULL,
	"currency" text DEFAULT 'DZD' NOT NULL,
	"disbursed_at" date,
	"outstanding_balance" numeric(14, 2) NOT NULL,
	"amount_overdue" numeric(14, 2) DEFAULT '0' NOT NULL,
	"next_due_date" date,
	"missed_installments" integer DEFAULT 0 NOT NULL,
	"payment_status" text DEFAULT 'current' NOT NULL,
	"collection_status" text DEFAULT 'none' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "loans_payment_status_check" CHECK ("loans"."payment_status" in ('current', 'overdue', 'paid_off', 'defaulted', 'written_off')),
	CONSTRAINT "loans_collection_status_check" CHECK ("loans"."collection_status" in ('none', 'in_collection', 'promise_to_pay', 'payment_plan', 'dispute', 'legal', 'settled', 'closed')),
	CONSTRAINT "loans_amounts_check" CHECK ("loans"."outstanding_balance" >= 0 and "loans"."amount_overdue" >= 0 and "loans"."principal" >= 0)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"loan_id" uuid NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"method" text NOT NULL,
	"reference" text NOT NULL,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_amount_check" CHECK ("payments"."amount" > 0),
	CONSTRAINT "payments_method_check" CHECK ("payments"."method" in ('cash', 'bank_transfer', 'card', 'ccp', 'cheque', 'other'))
);
--> statement-breakpoint
ALTER TABLE "customer_interactions" ADD CONSTRAINT "customer_interactions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_interactions" ADD CONSTRAINT "customer_interactions_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_interactions" ADD CONSTRAINT "customer_interactions_agent_id_users_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "customer_interactions_call_id_key" ON "customer_interactions" USING btree ("call_id");--> statement-breakpoint
CREATE INDEX "customer_interactions_customer_started_idx" ON "customer_interactions" USING btree ("customer_id","started_at");--> statement-breakpoint
CREATE INDEX "customer_interactions_loan_idx" ON "customer_interactions" USING btree ("loan_id");--> statement-breakpoint
CREATE INDEX "customer_interactions_agent_started_idx" ON "customer_interactions" USING btree ("agent_id","started_at");--> statement-breakpoint
CREATE INDEX "customer_interactions_disposition_started_idx" ON "customer_interactions" USING btree ("disposition","started_at");--> statement-breakpoint
CREATE INDEX "customer_interactions_started_idx" ON "customer_interactions" USING btree ("started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "customers_external_ref_key" ON "customers" USING btree ("external_ref");--> statement-breakpoint
CREATE INDEX "customers_phone_idx" ON "customers" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "customers_alt_phone_idx" ON "customers" USING btree ("alt_phone");--> statement-breakpoint
CREATE INDEX "customers_email_idx" ON "customers" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "customers_national_id_idx" ON "customers" USING btree ("national_id");--> statement-breakpoint
CREATE INDEX "customers_full_name_trgm_idx" ON "customers" USING gin (lower("full_name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "customers_name_sort_idx" ON "customers" USING btree ("full_name","id");--> statement-breakpoint
CREATE INDEX "customers_created_sort_idx" ON "customers" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "customers_city_idx" ON "customers" USING btree ("city");--> statement-breakpoint
CREATE INDEX "customers_oldest_due_idx" ON "customers" USING btree ("oldest_due_date","id");--> statement-breakpoint
CREATE INDEX "customers_total_overdue_idx" ON "customers" USING btree ("total_overdue","id");--> statement-breakpoint
CREATE UNIQUE INDEX "loans_loan_number_key" ON "loans" USING btree ("loan_number");--> statement-breakpoint
CREATE INDEX "loans_customer_idx" ON "loans" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "loans_collection_status_customer_idx" ON "loans" USING btree ("collection_status","customer_id");--> statement-breakpoint
CREATE INDEX "loans_next_due_date_idx" ON "loans" USING btree ("next_due_date");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_loan_reference_key" ON "payments" USING btree ("loan_id","reference");--> statement-breakpoint
CREATE INDEX "payments_loan_paid_idx" ON "payments" USING btree ("loan_id","paid_at");