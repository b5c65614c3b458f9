import { useI18n } from "../../i18n";
import { Link } from "../../lib/router";

const LINKS = [
  ["/admin/users", "adm.nav.users"],
  ["/admin/audit", "adm.nav.audit"],
  ["/admin/keys", "adm.nav.keys"],
  ["/admin/reference", "adm.nav.reference"],
  ["/admin/mail", "adm.nav.mail"],
] as const;

/** The administrator's part of the header (App shows it to the admin role only; the API checks again). */
export function AdminNav({ path }: { path: string }) {
  const { t } = useI18n();
  return (
    <nav aria-label={t("adm.nav")} className="admin-nav">
      {LINKS.map(([href, key]) => (
        <Link
          key={href}
          href={href}
          aria-current={path === href || (href !== "/admin/audit" && path.startsWith(`${href}/`)) ? "page" : undefined}
        >
          {t(key)}
        </Link>
      ))}
    </nav>
  );
}
