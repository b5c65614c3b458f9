import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Static } from "typebox";
import type { DbOrTx } from "../../db/client.js";
import { teams, users } from "../../db/schema/index.js";
import { mapPostgresError } from "../../lib/error-mapping.js";
import { AppError } from "../../lib/errors.js";
import type { RequestContext, Services } from "../../services.js";
import { recordAudit } from "../audit/service.js";
import type { TeamCreateBody, TeamPatchBody } from "./admin-schemas.js";
import { invalidateRankings } from "./candidates.js";

const teamNotFound = () => new AppError("NOT_FOUND", "No such team");
const bad = (path: string, message: string) =>
  new AppError("VALIDATION_ERROR", `${path.slice(1)} ${message}`, { details: [{ path, message }] });

async function teamViews(db: DbOrTx, rows: (typeof teams.$inferSelect)[]) {
  const ids = rows.map((r) => r.id);
  const supervisorIds = rows.map((r) => r.supervisorId).filter((id): id is string => Boolean(id));
  const members = ids.length
    ? await db
        .select({ id: users.id, name: users.name, role: users.role, isActive: users.isActive, teamId: users.teamId })
        .from(users)
        .where(inArray(users.teamId, ids))
        .orderBy(asc(users.name))
    : [];
  const supervisors = supervisorIds.length
    ? await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, supervisorIds))
    : [];
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    supervisor: supervisors.find((s) => s.id === t.supervisorId) ?? null,
    members: members.filter((m) => m.teamId === t.id).map(({ teamId: _, ...m }) => m),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  }));
}

/** Admins see every team; a supervisor sees the teams they lead and their own. */
export async function listTeams(services: Services, viewer: { userId: string; role: string; teamId: string | null }) {
  const { db } = services;
  const rows =
    viewer.role === "admin"
      ? await db.select().from(teams).orderBy(asc(teams.name))
      : await db
          .select()
          .from(teams)
          .where(sql`${teams.supervisorId} = ${viewer.userId} or ${teams.id} = ${viewer.teamId}`)
          .orderBy(asc(teams.name));
  return { data: await teamViews(db, rows) };
}

async function assertSupervisor(db: DbOrTx, id: string | null | undefined) {
  if (!id) return;
  const [u] = await db.select({ role: users.role }).from(users).where(eq(users.id, id));
  if (!u || u.role === "agent") throw bad("/supervisorId", "must be a supervisor or an admin");
}

const mapConflict = (err: unknown) => {
  const mapped = mapPostgresError(err);
  if (mapped?.code === "CONFLICT")
    return new AppError("CONFLICT", "A team with this name exists", {
      details: [{ path: "/name", message: "already used" }],
    });
  return err;
};

export async function createTeam(services: Services, input: Static<typeof TeamCreateBody>, ctx: RequestContext) {
  const now = services.clock.now();
  try {
    return await services.db.transaction(async (tx) => {
      await assertSupervisor(tx, input.supervisorId);
      const [row] = await tx
        .insert(teams)
        .values({ name: input.name.trim(), supervisorId: input.supervisorId ?? null, createdAt: now, updatedAt: now })
        .returning();
      await recordAudit(tx, ctx, {
        action: "team.created",
        entityType: "team",
        entityId: row!.id,
        details: { name: row!.name, supervisorId: row!.supervisorId },
      });
      return (await teamViews(tx, [row!]))[0]!;
    });
  } catch (err) {
    throw mapConflict(err);
  }
}

export async function updateTeam(
  services: Services,
  id: string,
  input: Static<typeof TeamPatchBody>,
  ctx: RequestContext,
) {
  const now = services.clock.now();
  try {
    return await services.db.transaction(async (tx) => {
      await assertSupervisor(tx, input.supervisorId);
      const changes: Partial<typeof teams.$inferInsert> = { updatedAt: now };
      if (input.name !== undefined) changes.name = input.name.trim();
      if (input.supervisorId !== undefined) changes.supervisorId = input.supervisorId;
      const [row] = await tx.update(teams).set(changes).where(eq(teams.id, id)).returning();
      if (!row) throw teamNotFound();
      await recordAudit(tx, ctx, {
        action: "team.updated",
        entityType: "team",
        entityId: id,
        details: { name: input.name, supervisorId: input.supervisorId },
      });
      return (await teamViews(tx, [row]))[0]!;
    });
  } catch (err) {
    throw mapConflict(err);
  }
}

export async function getTeam(
  services: Services,
  id: string,
  viewer: { userId: string; role: string; teamId: string | null },
) {
  const [row] = await services.db.select().from(teams).where(eq(teams.id, id));
  if (!row) throw teamNotFound();
  if (viewer.role !== "admin" && row.supervisorId !== viewer.userId && viewer.teamId !== id) {
    throw new AppError("FORBIDDEN", "Supervisors see only their own team");
  }
  return (await teamViews(services.db, [row]))[0]!;
}

/** Moves users into the team (out of any other: a user belongs to at most one). */
export async function addMembers(services: Services, id: string, userIds: string[], ctx: RequestContext) {
  const now = services.clock.now();
  const view = await services.db.transaction(async (tx) => {
    const [team] = await tx.select().from(teams).where(eq(teams.id, id));
    if (!team) throw teamNotFound();
    const moved = await tx
      .update(users)
      .set({ teamId: id, updatedAt: now })
      .where(inArray(users.id, userIds))
      .returning({ id: users.id });
    if (moved.length !== new Set(userIds).size) throw bad("/userIds", "contains an unknown user");
    await recordAudit(tx, ctx, {
      action: "team.members_added",
      entityType: "team",
      entityId: id,
      details: { userIds },
    });
    return (await teamViews(tx, [team]))[0]!;
  });
  invalidateRankings(services);
  return view;
}

export async function removeMember(services: Services, id: string, userId: string, ctx: RequestContext) {
  const now = services.clock.now();
  const view = await services.db.transaction(async (tx) => {
    const [team] = await tx.select().from(teams).where(eq(teams.id, id));
    if (!team) throw teamNotFound();
    const [gone] = await tx
      .update(users)
      .set({ teamId: null, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.teamId, id)))
      .returning({ id: users.id });
    if (!gone) throw new AppError("NOT_FOUND", "This user is not a member of the team");
    await recordAudit(tx, ctx, {
      action: "team.member_removed",
      entityType: "team",
      entityId: id,
      details: { userId },
    });
    return (await teamViews(tx, [team]))[0]!;
  });
  invalidateRankings(services);
  return view;
}
