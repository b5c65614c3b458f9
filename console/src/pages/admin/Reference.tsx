import { useI18n } from "../../i18n";
import { PrefixesSection } from "./Prefixes";
import { DispositionsSection } from "./Dispositions";
import { TeamsSection } from "./Teams";

/** Reference data: phone prefixes, call outcomes, teams. */
export function ReferencePage() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="reference-title">
      <h1 id="reference-title">{t("adm.reference.title")}</h1>
      <PrefixesSection />
      <DispositionsSection />
      <TeamsSection />
    </section>
  );
}
