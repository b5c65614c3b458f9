CREATE TABLE "call_claims" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"user_id" uuid,
	"api_key_id" uuid,
	"batch_id" uuid,
	"phone" text,
	"claimed_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone,
	"release_reason" text,
	"release_note" text,
	CONSTRAINT "call_claims_holder_check" CHECK (num_nonnulls("call_claims"."user_id", "call_claims"."api_key_id") = 1),
	CONSTRAINT "call_claims_release_check" CHECK (("call_claims"."released_at" is null) = ("call_claims"."release_reason" is null) and ("call_claims"."release_reason" is null or "call_claims"."release_reason" in ('call_recorded', 'skipped', 'expired', 'holder_disabled', 'returned', 'uncallable')))
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"supervisor_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "team_id" uuid;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "assigned_agent_id" uuid;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "assigned_team_id" uuid;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "assigned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "assigned_by" uuid;--> statement-breakpoint
ALTER TABLE "call_claims" ADD CONSTRAINT "call_claims_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_claims" ADD CONSTRAINT "call_claims_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_claims" ADD CONSTRAINT "call_claims_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_supervisor_id_users_id_fk" FOREIGN KEY ("supervisor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "call_claims_live_customer_key" ON "call_claims" USING btree ("customer_id") WHERE "call_claims"."released_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "call_claims_live_user_key" ON "call_claims" USING btree ("user_id") WHERE "call_claims"."released_at" is null and "call_claims"."user_id" is not null;--> statement-breakpoint
CREATE INDEX "call_claims_live_key_idx" ON "call_claims" USING btree ("api_key_id","batch_id") WHERE "call_claims"."released_at" is null and "call_claims"."api_key_id" is not null;--> statement-breakpoint
CREATE INDEX "call_claims_user_released_idx" ON "call_claims" USING btree ("user_id","released_at") WHERE "call_claims"."release_reason" = 'skipped';--> statement-breakpoint
CREATE INDEX "call_claims_live_expires_idx" ON "call_claims" USING btree ("expires_at") WHERE "call_claims"."released_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "teams_name_key" ON "teams" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "teams_supervisor_idx" ON "teams" USING btree ("supervisor_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_assigned_agent_id_users_id_fk" FOREIGN KEY ("assigned_agent_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_assigned_team_id_teams_id_fk" FOREIGN KEY ("assigned_team_id") REFERENCES "public"."teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "users_team_idx" ON "users" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "customers_assigned_agent_idx" ON "customers" USING btree ("assigned_agent_id") WHERE "customers"."assigned_agent_id" is not null;--> statement-breakpoint
CREATE INDEX "customers_assigned_team_idx" ON "customers" USING btree ("assigned_team_id") WHERE "customers"."assigned_team_id" is not null;--> statement-breakpoint
CREATE INDEX "customers_unowned_pool_idx" ON "customers" USING btree ("oldest_due_date","total_overdue","id") WHERE "customers"."total_overdue" > 0 and not "customers"."do_not_call" and "customers"."assigned_agent_id" is null and "customers"."assigned_team_id" is null;