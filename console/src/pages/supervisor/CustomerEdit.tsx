import { useI18n } from "../../i18n";

export default function CustomerEdit({ id }: { id: string }) {
  const { t } = useI18n();
  return <p data-id={id}>{t("loading")}</p>;
}
