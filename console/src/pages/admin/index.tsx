import "./admin.css";
import { useI18n } from "../../i18n";
import { ApiKeysPage } from "./ApiKeys";
import { AuditLogPage } from "./AuditLog";
import { OutboxPage } from "./Outbox";
import { ReferencePage } from "./Reference";
import { SignInsPage } from "./SignIns";
import { UserDetailPage } from "./UserDetail";
import { UsersPage } from "./Users";

/** The administrator's screens, loaded on demand (App renders this only for the admin role). */
export default function AdminScreens({ path }: { path: string }) {
  const { t } = useI18n();
  const user = path.match(/^\/admin\/users\/([0-9a-f-]{36})$/);
  if (path === "/admin/users") return <UsersPage />;
  if (user) return <UserDetailPage key={user[1]} id={user[1]!} />;
  if (path === "/admin/keys") return <ApiKeysPage />;
  if (path === "/admin/audit") return <AuditLogPage />;
  if (path === "/admin/sign-ins") return <SignInsPage />;
  if (path === "/admin/reference") return <ReferencePage />;
  if (path === "/admin/mail") return <OutboxPage />;
  return <p>{t("pageNotFound")}</p>;
}
