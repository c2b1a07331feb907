// POST /v1/assess (spec §9): the duty and taxes due for a DECLARATION payload on a date, line by line, from the
// rule set in force for its destination — what a platform collects at checkout and a TAX_PAID must state.
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { formatIssuePath, Money, parsePayload } from "../../node/domain/payloads";
import { assess } from "../../node/domain/tax";
import { isCalendarDate } from "../../node/domain/tax/rule-set";
import { jsonText, parseJson, type ApiContext } from "../context";

const BODY_FIELDS = new Set(["declaration", "date", "buyerYearToDate"]);

export function assessRoutes(_ctx: ApiContext): Hono {
  return new Hono().post("/assess", async (c) => {
    const body = parseJson(await jsonText(c));
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new BorderLedgerError("VALIDATION_FAILED", "body: must be an object { declaration, date }");
    }
    const fields = body as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((name) => !BODY_FIELDS.has(name));
    if (unknown.length > 0)
      throw new BorderLedgerError("VALIDATION_FAILED", `${unknown[0]}: unknown field (the body is { declaration, date, buyerYearToDate? })`);
    if (typeof fields.date !== "string" || !isCalendarDate(fields.date)) {
      throw new BorderLedgerError("VALIDATION_FAILED", 'date: must be a calendar date "YYYY-MM-DD"', {
        issues: [{ path: "date", message: "must be YYYY-MM-DD" }],
      });
    }
    const parsed = parsePayload({ eventType: "DECLARATION", payload: fields.declaration });
    if (!parsed.ok) {
      const issues = parsed.issues.map((issue) => ({ path: formatIssuePath(["declaration", ...issue.path]), message: issue.message }));
      throw new BorderLedgerError("VALIDATION_FAILED", issues.map((i) => `${i.path}: ${i.message}`).join("; "), { issues });
    }
    let buyerYearToDate: Money | undefined;
    if (fields.buyerYearToDate !== undefined) {
      const money = Money.safeParse(fields.buyerYearToDate);
      if (!money.success)
        throw new BorderLedgerError("VALIDATION_FAILED", `buyerYearToDate: must be money { amount, currency }: ${money.error.issues[0]?.message ?? "invalid"}`);
      buyerYearToDate = money.data;
    }
    return c.json(assess({ declaration: parsed.payload, date: fields.date, buyerYearToDate }));
  });
}
