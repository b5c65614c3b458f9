import { DEFAULT_TIMEZONE } from "../loans/arrears.js";
import { PAYMENT_METHOD_WEIGHTS } from "./seed-data.js";
import { agentPick, arr, h, phoneOf, pick, quote } from "./seed-scale-sql.js";

export interface HistoryOptions {
  today: string;
  now: string;
  /** `array[...]::uuid[]` of the demo agents, or "" when there are none. */
  agents: string;
  /** PROMISE_GRACE_DAYS: a promise breaks on the day after its due date plus these days. */
  graceDays: number;
}

const METHODS = PAYMENT_METHOD_WEIGHTS.flatMap(([m, w]) => Array<string>(Math.ceil(w / 5)).fill(m));
/**
 * Outcomes of an ordinary call. A dispute call puts its loan in dispute, so disputes come only from
 * the call that put a dispute loan there; a promise_to_pay draw becomes a broken promise.
 */
const CALL_OUTCOMES = [
  "no_answer",
  "no_answer",
  "busy",
  "voicemail",
  "promise_to_pay",
  "callback_requested",
  "refused_to_pay",
  "wrong_number",
  "voicemail",
  "paid",
];
/** One interaction of a loan: j is 0 for the kept-promise call, 1… for the others (at most 3). */
const U = "s * 4 + j";
/** Loans with recorded payments (the last few instalments); kind 1 is any overdue loan. */
const HAS_PAYMENTS = `paid > 0 and (kind = 5 or ${h("s", 44, 100)} < 40)`;

/**
 * The CTEs that write a batch's payments and contact history from `lp` (the inserted loans with
 * their customer number n, loan index k, hash seed s, kind and instalments paid): `pay`, `ia`,
 * `pr` (payment promises) and `pf` (phone flags). The history is one the API could have written
 * (see history-invariants.ts): a promise_to_pay call made a promise, a promise_to_pay loan has a
 * pending one, a callback request has its time and a wrong number its flag.
 */
export function historyCtes({ today, now, agents, graceDays }: HistoryOptions): string {
  const at = `${quote(now)}::timestamptz`;
  const localDate = (ts: string) => `((${ts}) at time zone ${quote(DEFAULT_TIMEZONE)})::date`;
  // The j-th most recent payment (1 = the last): one per instalment, a few days around its due day.
  const paidAt = (j: string) => `least(disbursed_at + (paid - ${j} + 1) * interval '1 month'
      + (${h(`s * 4 + ${j}`, 40, 8)} - 3) * interval '1 day' + interval '9 hours' + ${h(`s * 4 + ${j}`, 41, 25_200)} * interval '1 second',
      ${at} - interval '1 hour')`;
  const channel = `case when cr < 60 then 'call' when cr < 80 then 'sms' when cr < 88 then 'note' when cr < 94 then 'visit' else 'email' end`;
  // The call that put a promise_to_pay or dispute loan there: the loan's last interaction.
  const statusCall = `j = cnt and collection_status in ('promise_to_pay', 'dispute')`;
  // A loan's last call, outside promise_to_pay and dispute, was made in the last days when it asked for a
  // callback or promised: the worklist ranks the due callbacks and the promises broken in 7 days first.
  const recent = `channel = 'call' and j = cnt and j > 0 and collection_status not in ('promise_to_pay', 'dispute')
    and outcome in ('callback_requested', 'promise_to_pay')`;
  // A quarter of the overdue loans with payments had their last instalment promised three days before.
  const kept = `kind = 1 and ${HAS_PAYMENTS} and ${h("s", 55, 100)} < 25`;
  return `
    pay as (
      insert into payments (loan_id, amount, paid_at, method, reference, recorded_by)
      select id, installment_amount, ${paidAt("j")},
        method, 'GEN-P-' || n || '-' || k || '-' || (paid - j + 1), case when method = 'cash' then ${agentPick("s * 4 + j", agents)} end
      from (select lp.*, j, ${pick(METHODS, "s * 4 + j", 42)} as method
        from lp cross join lateral generate_series(1, least(paid, 1 + ${h("s", 43, 3)})) as j
        where ${HAS_PAYMENTS}) x
      returning 1
    ),
    ip as (
      select z.*,
        case when channel = 'call' then 'GEN-C-' || n || '-' || k || '-' || j end as call_id,
        case when disposition = 'callback_requested' then started_at + (20 + ${h(U, 56, 52)}) * interval '1 hour' end as callback_at,
        case when channel <> 'call' or disposition <> 'promise_to_pay' then null when j = 0 then 'kept'
          when collection_status = 'promise_to_pay' then 'pending' else 'broken' end as promise_status
      from (
        select y.*, case when channel = 'call' then case when j = 0 then 'promise_to_pay'
            when ${statusCall} then collection_status
            -- A later promise would have replaced the pending one; one too recent to have broken is refused.
            when outcome = 'promise_to_pay' and (collection_status = 'promise_to_pay' or broken_at > ${at} - interval '1 minute')
              then 'refused_to_pay'
            else outcome end
          when channel = 'visit' then ${arr(["refused_to_pay", "promise_to_pay"])}[1 + ${h(U, 50, 2)}] end as disposition
        from (
          select x.*,
            case when j = 0 then ${localDate("started_at")} + 4 when ${statusCall} then ${quote(today)}::date + 3 + ${h("s", 57, 5)}
              else ${localDate("started_at")} + 3 end as promise_due,
            case when ${statusCall} then amount_overdue else installment_amount end as promise_amount,
            (${localDate("started_at")} + ${3 + graceDays + 1} + time '00:05') at time zone ${quote(DEFAULT_TIMEZONE)} as broken_at
          from (
            select w.*, case when j = 0 then ${paidAt("1")} - interval '3 days'
              when ${recent} then least(((${quote(today)}::date - (case when outcome = 'callback_requested' then 0 else ${graceDays + 4} end
                  + ${h(U, 58, 7)})) + time '09:00' + ${h(U, 47, 28_800)} * interval '1 second') at time zone ${quote(DEFAULT_TIMEZONE)},
                ${at} - interval '5 minutes')
              else least(case when kind = 0 then next_due_date - 3 else next_due_date + j * 5 + ${h(U, 46, 5)} end
                + interval '9 hours' + ${h(U, 47, 28_800)} * interval '1 second', ${at} - interval '5 minutes') end as started_at
            from (
              select lp.*, j, case when kind = 0 then 'sms' when kind = 6 then 'note' when j = 0 or ${statusCall} then 'call'
                else ${channel} end as channel, ${pick(CALL_OUTCOMES, U, 49)} as outcome
              from (
                select lp.*, case when kind = 1 and (ir < 70 or collection_status in ('promise_to_pay', 'dispute')) then 1 + ${h("s", 52, 3)}
                  when kind = 0 and ir < 10 then 1 when kind = 6 and ir < 30 then 1 else 0 end as cnt
                from (select lp.*, ${h("s", 51, 100)} as ir from lp) lp
              ) lp
              cross join lateral generate_series(case when ${kept} then 0 else 1 end, cnt) as j
              cross join lateral (select ${h(U, 53, 100)} as cr) c
            ) w
          ) x
        ) y
      ) z
    ),
    ia as (
      insert into customer_interactions (customer_id, loan_id, agent_id, channel, direction, call_id, started_at, duration_seconds,
        disposition, callback_at, notes)
      select customer_id, id, ${agentPick(U, agents)}, channel,
        case when channel = 'call' and j > 0 and ${h(U, 45, 100)} < 15 then 'inbound' else 'outbound' end,
        call_id, started_at,
        case when channel <> 'call' then null when disposition in ('no_answer', 'busy') then ${h(U, 48, 25)} else 30 + ${h(U, 48, 570)} end,
        disposition, callback_at,
        case channel when 'sms' then 'Rappel : échéance impayée de ' || installment_amount || ' DZD.'
          when 'note' then 'Client injoignable, relance prévue.' when 'visit' then 'Visite au domicile.'
          when 'email' then 'Relevé de compte envoyé.'
          else case when disposition = 'promise_to_pay' then 'Promesse de paiement de ' || promise_amount || ' DZD.'
            when disposition = 'callback_requested' then 'Demande à être rappelé.' end end
      from ip
      returning id, call_id, agent_id
    ),
    -- The rows post-call writes with these outcomes; a kept promise was paid (its loan's last payment)
    -- three days after it was made, a broken one was resolved the day after its grace days ran out.
    pr as (
      insert into payment_promises (loan_id, customer_id, interaction_id, amount, due_date, status, created_by, created_at,
        resolved_at, updated_at)
      select ip.id, ip.customer_id, ia.id, promise_amount, promise_due, promise_status, ia.agent_id, started_at, resolved_at,
        coalesce(resolved_at, started_at)
      from (select ip.*, case promise_status when 'kept' then started_at + interval '3 days' when 'broken' then broken_at end as resolved_at
        from ip where promise_status is not null) ip
      join ia on ia.call_id = ip.call_id
      returning 1
    ),
    pf as (
      insert into customer_phone_flags (customer_id, phone, interaction_id, created_at)
      select distinct on (ip.customer_id) ip.customer_id, ${phoneOf("ip.n")}, ia.id, ip.started_at
      from ip join ia on ia.call_id = ip.call_id
      where ip.disposition = 'wrong_number'
      order by ip.customer_id, ip.started_at
      returning 1
    )`;
}
