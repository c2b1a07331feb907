// What is due for a DECLARATION, as the lifecycle rules and the verifier ask it: the duty and tax engine's assessment
// for the declaration's destination on the day the ledger accepted it (its recordedAt, UTC; spec §7 "Tax date").
import { messageOf } from "../errors";
import { DeclarationPayload, type Money } from "../payloads";
import { assess, ruleSetFor } from "./index";

/** The money of an assessment: what a TAX_PAID's `ruleSet` and `assessment` must state. */
export type TaxDue = { ruleSet: string; customsValue: Money; duty: Money; vat: Money; fees: Money; total: Money };

/**
 * - due: the engine's assessment;
 * - unsupported: no rule set covers the destination on that date, so the ledger cannot say what is due;
 * - invalid: a rule set applies but the declaration cannot be assessed under it (e.g. a currency without a rate).
 */
export type TaxVerdict = { kind: "due"; due: TaxDue } | { kind: "unsupported"; reason: string } | { kind: "invalid"; reason: string };

/** Assesses a DECLARATION; the argument is what the lifecycle rules hold of it. */
export type TaxPolicy = (declaration: { payload: Record<string, unknown>; recordedAt?: string }) => TaxVerdict;

// A DECLARATION is assessed when it is appended, again for each TAX_PAID and for the RELEASE: the ledger keeps the same
// payload object in its shipment history, so the verdict is remembered per payload object and date. Payloads are
// never changed once parsed (node and verifier alike), and callers only read the verdicts.
const verdicts = new WeakMap<object, Map<string | undefined, TaxVerdict>>();

/** The duty and tax engine as a TaxPolicy (the default of the lifecycle rules and the verifier). */
export const engineTaxPolicy: TaxPolicy = ({ payload, recordedAt }) => {
  let byDate = verdicts.get(payload);
  if (byDate === undefined) {
    byDate = new Map();
    verdicts.set(payload, byDate);
  }
  let verdict = byDate.get(recordedAt);
  if (verdict === undefined) {
    verdict = assessDeclaration({ payload, recordedAt });
    byDate.set(recordedAt, verdict);
  }
  return verdict;
};

function assessDeclaration({ payload, recordedAt }: { payload: Record<string, unknown>; recordedAt?: string }): TaxVerdict {
  if (recordedAt === undefined) return { kind: "unsupported", reason: "the DECLARATION's recordedAt is not known" };
  const time = Date.parse(recordedAt);
  if (!Number.isFinite(time)) return { kind: "unsupported", reason: `the DECLARATION's recordedAt is not a time: ${recordedAt}` };
  const date = new Date(time).toISOString().slice(0, 10); // the UTC date, whatever offset the text was written with
  const parsed = DeclarationPayload.safeParse(payload);
  if (!parsed.success) return { kind: "invalid", reason: "the DECLARATION's payload is not a valid DECLARATION" };
  const declaration = parsed.data;
  try {
    ruleSetFor({ destination: declaration.destinationCountry, date });
  } catch (error) {
    return { kind: "unsupported", reason: messageOf(error) };
  }
  try {
    const a = assess({ declaration, date });
    return { kind: "due", due: { ruleSet: a.ruleSet, customsValue: a.customsValue, duty: a.duty, vat: a.vat, fees: a.fees, total: a.total } };
  } catch (error) {
    return { kind: "invalid", reason: messageOf(error) };
  }
}
