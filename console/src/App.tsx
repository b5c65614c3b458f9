import { lazy, Suspense, useEffect, useRef, type ReactNode } from "react";
import { useI18n, type Lang } from "./i18n";
import { useAuth } from "./lib/auth";
import { Link, navigate, useLocation } from "./lib/router";
import { CallPage } from "./pages/Call";
import { ChangePassword } from "./pages/ChangePassword";
import { CustomerPage } from "./pages/Customer";
import { MyListPage } from "./pages/MyList";
import { NextCallPage, requestNextCall } from "./pages/NextCall";
import { ForgotPassword } from "./pages/ForgotPassword";
import { Search } from "./pages/Search";
import { SignIn } from "./pages/SignIn";
import { isSupervisorPath, SupervisorNav, SupervisorScreen } from "./pages/supervisor";
import { VerifyEmail } from "./pages/VerifyEmail";
import { AdminNav } from "./pages/admin/nav";

// The administrator's screens are a chunk of their own: agents never download them.
const AdminScreens = lazy(() => import("./pages/admin"));

const PUBLIC_PATHS = new Set(["/sign-in", "/forgot-password", "/verify-email"]);

function LanguagePicker() {
  const { lang, setLang, t } = useI18n();
  const { user } = useAuth();
  return (
    <label className="lang">
      {t("language")}{" "}
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang, user?.id)}>
        <option value="en" lang="en">
          English
        </option>
        <option value="fr" lang="fr">
          Français
        </option>
      </select>
    </label>
  );
}

function Shell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { user, signOut, status, config } = useAuth();
  const { path } = useLocation();
  const agentScreens = status === "signedIn" && !user?.mustChangePassword;
  const nextCall = agentScreens && !!config?.features.nextCall;
  // Alt+N from any screen: the next call (the calling loop never needs the mouse).
  useEffect(() => {
    if (!nextCall) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.code === "KeyN") {
        e.preventDefault();
        requestNextCall();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [nextCall]);
  const main = useRef<HTMLElement>(null);
  // After a client-side navigation, focus moves to the new screen (keyboard and screen-reader users).
  // (A screen that focused its own first field keeps that focus.)
  useEffect(() => {
    if (main.current && !main.current.contains(document.activeElement)) main.current.focus({ preventScroll: true });
  }, [path]);
  return (
    <>
      <a className="skip" href="#main">
        {t("skipToContent")}
      </a>
      <header className="top">
        <span className="brand">{t("appName")}</span>
        {agentScreens && (
          <nav aria-label={t("nav")}>
            {nextCall && (
              <Link
                href="/next-call"
                aria-current={path === "/next-call" ? "page" : undefined}
                aria-keyshortcuts="Alt+N"
              >
                {t("nextCall")}
              </Link>
            )}
            <Link href="/my-list" aria-current={path === "/my-list" ? "page" : undefined}>
              {t("navMyList")}
            </Link>
            <Link href="/search" aria-current={path === "/search" || path === "/" ? "page" : undefined}>
              {t("navSearch")}
            </Link>
            <SupervisorNav path={path} />
          </nav>
        )}
        {agentScreens && user?.role === "admin" && <AdminNav path={path} />}
        <div className="spacer" />
        <LanguagePicker />
        {user && (
          <>
            <span className="who">{t("signedInAs", { name: user.name })}</span>
            <button type="button" onClick={() => void signOut()}>
              {t("signOut")}
            </button>
          </>
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

export function App() {
  const { t } = useI18n();
  const { status, user, config } = useAuth();
  const { path, query } = useLocation();

  const publicPath = PUBLIC_PATHS.has(path);
  useEffect(() => {
    if (status === "signedOut" && !publicPath) navigate("/sign-in", { replace: true });
    if (status === "signedIn" && path === "/sign-in") navigate("/", { replace: true });
    if (status === "signedIn" && user?.mustChangePassword && path !== "/change-password")
      navigate("/change-password", { replace: true });
  }, [status, publicPath, path, user]);

  if (status === "loading") return <Shell>{<p>{t("loading")}</p>}</Shell>;

  let screen: ReactNode;
  const customer = path.match(/^\/customers\/([0-9a-f-]{36})$/);
  if (path === "/sign-in") screen = <SignIn />;
  else if (path === "/forgot-password") screen = <ForgotPassword />;
  else if (path === "/verify-email") screen = <VerifyEmail />;
  else if (status !== "signedIn") screen = null;
  else if (path === "/change-password") screen = <ChangePassword />;
  else if (path === "/" || path === "/search") screen = <Search />;
  else if (path === "/next-call" && config?.features.nextCall) screen = <NextCallPage />;
  else if (path === "/my-list") screen = <MyListPage />;
  else if (path.startsWith("/admin/") && user?.role === "admin" && !user.mustChangePassword)
    screen = (
      <Suspense fallback={<p>{t("loading")}</p>}>
        <AdminScreens path={path} />
      </Suspense>
    );
  else if (customer) screen = <CustomerPage id={customer[1]!} />;
  else if (path === "/call" && query.get("phone"))
    screen = <CallPage key={query.get("phone")} phone={query.get("phone")!} />;
  else if (isSupervisorPath(path)) screen = <SupervisorScreen path={path} />;
  else screen = <p>{t("pageNotFound")}</p>;
  return <Shell>{screen}</Shell>;
}
