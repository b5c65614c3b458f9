import { useCallback, useEffect, useState } from "react";
import { api, type PreCall, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { describeError } from "../lib/errors";
import { Alert } from "../lib/ui";
import { PostCallForm } from "./PostCallForm";
import { PreCallView } from "./PreCallView";

/** The pre-call view for a phone number (search, inbound calls), and the post-call form under it. */
export function CallPage({ phone }: { phone: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [precall, setPrecall] = useState<PreCall | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  const load = useCallback(() => {
    setError(null);
    return unwrap(api.GET("/api/crm/pre-call", { params: { query: { phone } } }))
      .then(setPrecall)
      .catch((err) => setError(describeError(err, i18n)));
  }, [phone]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error) return <Alert>{error}</Alert>;
  if (!precall) return <p>{t("loading")}</p>;
  return (
    <PreCallView precall={precall} phone={phone} version={version}>
      <PostCallForm
        customerId={precall.customer.id}
        phone={phone}
        loans={precall.loans}
        onSaved={() => {
          void load();
          setVersion((v) => v + 1);
        }}
      />
    </PreCallView>
  );
}
