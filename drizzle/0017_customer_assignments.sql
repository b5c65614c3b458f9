CREATE TABLE "customer_assignments" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"assigned_agent_id" uuid,
	"assigned_team_id" uuid,
	"assigned_at" timestamp with time zone NOT NULL,
	"assigned_by" uuid
);
--> statement-breakpoint
ALTER TABLE "customers" DROP CONSTRAINT "customers_assigned_agent_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "customers" DROP CONSTRAINT "customers_assigned_team_id_teams_id_fk";
--> statement-breakpoint
DROP INDEX "customers_assigned_agent_idx";--> statement-breakpoint
DROP INDEX "customers_assigned_team_idx";--> statement-breakpoint
DROP INDEX "customers_unowned_pool_idx";--> statement-breakpoint
ALTER TABLE "customer_assignments" ADD CONSTRAINT "customer_assignments_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_assignments" ADD CONSTRAINT "customer_assignments_assigned_agent_id_users_id_fk" FOREIGN KEY ("assigned_agent_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_assignments" ADD CONSTRAINT "customer_assignments_assigned_team_id_teams_id_fk" FOREIGN KEY ("assigned_team_id") REFERENCES "public"."teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_assignments_agent_idx" ON "customer_assignments" USING btree ("assigned_agent_id") WHERE "customer_assignments"."assigned_agent_id" is not null;--> statement-breakpoint
CREATE INDEX "customer_assignments_team_idx" ON "customer_assignments" USING btree ("assigned_team_id") WHERE "customer_assignments"."assigned_team_id" is not null;--> statement-breakpoint
-- Hand-written: carry today's owners over before their columns go (assigned_at was set with every assignment).
INSERT INTO "customer_assignments" ("customer_id", "assigned_agent_id", "assigned_team_id", "assigned_at", "assigned_by")
  SELECT "id", "assigned_agent_id", "assigned_team_id", coalesce("assigned_at", now()), "assigned_by" FROM "customers"
   WHERE "assigned_agent_id" IS NOT NULL OR "assigned_team_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" DROP COLUMN "assigned_agent_id";--> statement-breakpoint
ALTER TABLE "customers" DROP COLUMN "assigned_team_id";--> statement-breakpoint
ALTER TABLE "customers" DROP COLUMN "assigned_at";--> statement-breakpoint
ALTER TABLE "customers" DROP COLUMN "assigned_by";