import { useI18n } from "../../i18n";

export default function Import() {
  const { t } = useI18n();
  return <p>{t("loading")}</p>;
}
