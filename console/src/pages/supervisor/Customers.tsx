import { useI18n } from "../../i18n";

export default function Customers() {
  const { t } = useI18n();
  return <p>{t("loading")}</p>;
}
