import { useI18n } from "../../i18n";
import { Badge } from "../../lib/ui";
import type { AdminUser, Role } from "./types";

export function RoleName({ role }: { role: Role }) {
  return <>{useI18n().t(`adm.role.${role}`)}</>;
}

/** Where an account stands, as badges: inactive, locked (by an admin or after failures), waiting for approval. */
export function UserStateBadges({
  user,
}: {
  user: Pick<AdminUser, "isActive" | "isLocked" | "pendingApproval" | "adminLock">;
}) {
  const { t } = useI18n();
  return (
    <span className="badges">
      {user.isActive ? (
        <Badge tone="ok">{t("adm.state.active")}</Badge>
      ) : (
        <Badge tone="muted">{t("adm.state.inactive")}</Badge>
      )}
      {user.isLocked && (
        <Badge tone="bad">{t(user.adminLock ? "adm.state.lockedByAdmin" : "adm.state.lockedOut")}</Badge>
      )}
      {user.pendingApproval && <Badge tone="warn">{t("adm.state.pending")}</Badge>}
    </span>
  );
}

export const ROLES: Role[] = ["agent", "supervisor", "admin"];

/** The roles as options of a select, in words. */
export function RoleOptions() {
  const { t } = useI18n();
  return (
    <>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {t(`adm.role.${r}`)}
        </option>
      ))}
    </>
  );
}
