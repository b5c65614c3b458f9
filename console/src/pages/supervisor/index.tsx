import { lazy, Suspense, type ReactNode } from "react";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { useAuth } from "../../lib/auth";
import { Link } from "../../lib/router";
import { Alert } from "../../lib/ui";
import "./supervisor.css";

// Each screen is its own chunk: agents never download them, and the charts stay out of the initial JS.
const Board = lazy(() => import("./Board"));
const Assign = lazy(() => import("./Assign"));
const Dashboard = lazy(() => import("./Dashboard"));
const Customers = lazy(() => import("./Customers"));
const CustomerEdit = lazy(() => import("./CustomerEdit"));
const Import = lazy(() => import("./Import"));
const Security = lazy(() => import("./Security"));
const Worklist = lazy(() => import("./Worklist"));

const SCREENS: { path: string; label: MessageKey }[] = [
  { path: "/supervisor/board", label: "sup.nav.board" },
  { path: "/supervisor/assign", label: "sup.nav.assign" },
  { path: "/supervisor/worklist", label: "sup.nav.worklist" },
  { path: "/supervisor/dashboard", label: "sup.nav.dashboard" },
  { path: "/supervisor/customers", label: "sup.nav.customers" },
  { path: "/supervisor/import", label: "sup.nav.import" },
  { path: "/supervisor/security", label: "sup.nav.security" },
];

/** The console mirrors the API's guard (requireRole("supervisor")): supervisors and admins. */
export function useIsSupervisor(): boolean {
  const { user } = useAuth();
  return user?.role === "supervisor" || user?.role === "admin";
}

export const isSupervisorPath = (path: string) => path === "/supervisor" || path.startsWith("/supervisor/");

/** The supervisor's links in the top navigation; nothing at all for an agent. */
export function SupervisorNav({ path }: { path: string }) {
  const { t } = useI18n();
  if (!useIsSupervisor()) return null;
  return (
    <>
      {SCREENS.map((s) => (
        <Link key={s.path} href={s.path} aria-current={path.startsWith(s.path) ? "page" : undefined}>
          {t(s.label)}
        </Link>
      ))}
    </>
  );
}

function screenFor(path: string): ReactNode {
  const customer = path.match(/^\/supervisor\/customers\/([0-9a-f-]{36})$/);
  if (customer) return <CustomerEdit id={customer[1]!} />;
  if (path === "/supervisor" || path === "/supervisor/board") return <Board />;
  if (path === "/supervisor/assign") return <Assign />;
  if (path === "/supervisor/dashboard") return <Dashboard />;
  if (path === "/supervisor/customers") return <Customers />;
  if (path === "/supervisor/import") return <Import />;
  if (path === "/supervisor/security") return <Security />;
  if (path === "/supervisor/worklist") return <Worklist />;
  return null;
}

/** A supervisor screen, or a refusal in words for anyone else (the API refuses them too). */
export function SupervisorScreen({ path }: { path: string }) {
  const { t } = useI18n();
  const allowed = useIsSupervisor();
  if (!allowed)
    return (
      <div data-testid="role-refused">
        <Alert>{t("sup.forbidden")}</Alert>
      </div>
    );
  const screen = screenFor(path);
  if (!screen) return <p>{t("pageNotFound")}</p>;
  return <Suspense fallback={<p>{t("loading")}</p>}>{screen}</Suspense>;
}
