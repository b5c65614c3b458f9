CREATE TABLE "otp_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "otp_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" uuid,
	"request_id" uuid,
	"purpose" text DEFAULT 'password_reset' NOT NULL,
	"event" text NOT NULL,
	"email" text,
	"ip" text,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "password_reset_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"email" text NOT NULL,
	"phone_submitted" text,
	"otp_hash" text NOT NULL,
	"otp_expires_at" timestamp with time zone NOT NULL,
	"otp_attempts" integer DEFAULT 0 NOT NULL,
	"resend_count" integer DEFAULT 0 NOT NULL,
	"last_sent_at" timestamp with time zone,
	"status" text DEFAULT 'pending' NOT NULL,
	"verified_at" timestamp with time zone,
	"used_at" timestamp with time zone,
	"reset_token_hash" text,
	"reset_token_expires_at" timestamp with time zone,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "otp_logs" ADD CONSTRAINT "otp_logs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_reset_requests" ADD CONSTRAINT "password_reset_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "otp_logs_user_created_idx" ON "otp_logs" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "otp_logs_event_created_idx" ON "otp_logs" USING btree ("event","created_at");--> statement-breakpoint
CREATE INDEX "otp_logs_ip_created_idx" ON "otp_logs" USING btree ("ip","created_at");--> statement-breakpoint
CREATE INDEX "otp_logs_created_idx" ON "otp_logs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "password_reset_requests_email_created_idx" ON "password_reset_requests" USING btree ("email","created_at");--> statement-breakpoint
CREATE INDEX "password_reset_requests_user_idx" ON "password_reset_requests" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "password_reset_requests_expires_idx" ON "password_reset_requests" USING btree ("otp_expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "password_reset_requests_one_active_key" ON "password_reset_requests" USING btree ("email") WHERE "password_reset_requests"."status" in ('pending', 'verified');