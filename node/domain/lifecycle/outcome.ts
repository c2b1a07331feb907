// What one lifecycle rule says of one event: skip, pass, fail with a message, or unknown with a reason.

export type Outcome =
  | { status: "skip" } // the rule does not constrain this event
  | { status: "pass" }
  | { status: "fail"; message: string }
  | { status: "unknown"; reason: string }; // a needed field is not disclosed, or what is due cannot be determined

export const SKIP: Outcome = { status: "skip" };
export const PASS: Outcome = { status: "pass" };
export const fail = (message: string): Outcome => ({ status: "fail", message });
export const unknown = (reason: string): Outcome => ({ status: "unknown", reason });

export function outcomeText(outcome: Outcome): string {
  if (outcome.status === "fail") return outcome.message;
  if (outcome.status === "unknown") return outcome.reason;
  return outcome.status;
}
