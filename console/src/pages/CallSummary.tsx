import type { I18n } from "../i18n";
import type { MessageKey } from "../i18n/en";

export interface CallableSummary {
  owing: number;
  callableNow: number;
  blocked: Record<string, number>;
  nextEligibleAt: string | null;
}

/**
 * Why there is nobody (or few) to call, in words: "37 owe money; 37 outside the call window; callable
 * again from 08:00." Reasons by count, largest first (a customer may count under several).
 */
export function describeSummary(s: CallableSummary, { t, when }: I18n, withCallable = false): string {
  if (s.owing === 0) return t("summary.nobodyOwes");
  const parts = [t("summary.owing", { n: s.owing })];
  if (withCallable || s.callableNow > 0) parts.push(t("summary.callableNow", { n: s.callableNow }));
  const reasons = Object.entries(s.blocked)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  for (const [reason, n] of reasons) {
    const key = `blocked.${reason}` as MessageKey;
    const words = t(key, { n });
    parts.push(words === key ? `${n} ${reason}` : words);
  }
  let text = parts.join("; ");
  if (s.nextEligibleAt) text += `; ${t("summary.nextEligibleAt", { time: when(s.nextEligibleAt) })}`;
  return `${text}.`;
}
