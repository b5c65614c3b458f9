import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, type ConsoleConfig, type PublicUser, unwrap } from "../api/client";
import { storedLang, useI18n } from "../i18n";
import { navigate } from "./router";
import { adoptTokens, forgetTokens, onSessionEnd, refreshAccessToken } from "./session";

type Status = "loading" | "signedOut" | "signedIn";

interface AuthState {
  status: Status;
  user: PublicUser | null;
  config: ConsoleConfig | null;
  /** Why the user is on the sign-in screen (session ended elsewhere…), as a message key. */
  notice: "session.ended" | "session.signedOut" | null;
  signedIn(token: string, expiresIn: number, user: PublicUser): void;
  reloadUser(): Promise<void>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const { setLang, setTimezone } = useI18n();
  const [status, setStatus] = useState<Status>("loading");
  const [user, setUser] = useState<PublicUser | null>(null);
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [notice, setNotice] = useState<AuthState["notice"]>(null);

  const adoptUser = useCallback(
    (u: PublicUser) => {
      setUser(u);
      setStatus("signedIn");
      const lang = storedLang(u.id);
      if (lang) setLang(lang, u.id);
      if (u.mustChangePassword) navigate("/change-password", { replace: true });
    },
    [setLang],
  );

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const cfg = await unwrap(api.GET("/api/console/config")).catch(() => null);
      if (cancelled) return;
      if (cfg) {
        setConfig(cfg);
        setTimezone(cfg.timezone);
      }
      // A reload keeps the session through the refresh cookie; the access token was only in memory.
      if (await refreshAccessToken()) {
        const me = await unwrap(api.GET("/api/auth/me")).catch(() => null);
        if (!cancelled && me) return adoptUser(me);
      }
      if (!cancelled) setStatus("signedOut");
    })();
    return () => {
      cancelled = true;
    };
  }, [adoptUser, setTimezone]);

  useEffect(
    () =>
      onSessionEnd((reason) => {
        if (reason === "passwordChange") return navigate("/change-password", { replace: true });
        setUser(null);
        setStatus("signedOut");
        setNotice("session.ended");
        navigate("/sign-in", { replace: true });
      }),
    [],
  );

  const value = useMemo<AuthState>(
    () => ({
      status,
      user,
      config,
      notice,
      signedIn(token, expiresIn, u) {
        adoptTokens(token, expiresIn);
        setNotice(null);
        adoptUser(u);
      },
      async reloadUser() {
        const me = await unwrap(api.GET("/api/auth/me"));
        setUser(me);
      },
      async signOut() {
        await api.POST("/api/auth/logout").catch(() => undefined);
        forgetTokens();
        setUser(null);
        setStatus("signedOut");
        setNotice("session.signedOut");
        navigate("/sign-in", { replace: true });
      },
    }),
    [status, user, config, notice, adoptUser],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}
