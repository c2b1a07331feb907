// Check "payload-schema" (spec §5.3): disclosed fields valid for the event type, required fields committed.
import type { z } from "zod";
import { PAYLOAD_SCHEMAS, formatIssuePath, parsePayload, payloadFieldNames } from "../../domain/payloads";
import type { Context } from "../context";
import { pathOf } from "../issue-path";
import { hasOwn } from "../own-keys";
import type { CheckOutcome, EntryResult } from "../report";
import { entryResult, summarise } from "../summarise";

/** §5.3: disclosed fields valid against the event type's schema; required fields committed; no unknown field; parties disclosed. */
export function verifyPayloadSchema(ctx: Context): CheckOutcome {
  const results = ctx.entries.map(({ index, entry, hiddenFields }): EntryResult => {
    const type = entry.event.eventType;
    const shape = PAYLOAD_SCHEMAS[type].shape as Record<string, z.ZodType>;
    const known = (name: string) => hasOwn(shape, name);
    const problems: string[] = [];
    for (const name of Object.keys(entry.digests)) {
      if (!known(name)) problems.push(`${formatIssuePath(["digests", name])}: ${type} has no field ${JSON.stringify(name)}`);
    }
    for (const name of payloadFieldNames(type).required) {
      if (!hasOwn(entry.digests, name)) problems.push(`${formatIssuePath(["digests", name])}: required field of ${type} is not committed`);
    }
    // Who may speak for the shipment is public (spec §1.1): a bundle that hides `parties` hides who spoke.
    if (hiddenFields.includes("parties"))
      problems.push(`${formatIssuePath(["payload", "parties"])}: committed but not disclosed; every view discloses parties`);
    const disclosed = Object.keys(entry.payload);
    for (const name of disclosed) {
      if (!known(name) && hasOwn(entry.digests, name)) continue; // reported above
      if (!known(name)) problems.push(`${formatIssuePath(["payload", name])}: ${type} has no field ${JSON.stringify(name)}`);
    }
    if (hiddenFields.length === 0) {
      // Fully disclosed: the whole schema, with its cross-field rules (sums, currencies).
      const whole = parsePayload({ eventType: type, payload: entry.payload });
      if (!whole.ok) problems.push(...whole.issues.map((i) => `${formatIssuePath(["payload", ...i.path])}: ${i.message}`));
    } else {
      // Partly disclosed: each disclosed field against its own schema; rules across fields need the hidden ones.
      for (const name of disclosed.filter(known)) {
        const schema = shape[name];
        if (schema === undefined) continue;
        const field = schema.safeParse(entry.payload[name]);
        if (!field.success) problems.push(...field.error.issues.map((i) => `${formatIssuePath(["payload", name, ...pathOf(i.path)])}: ${i.message}`));
      }
    }
    if (problems.length > 0) return entryResult(index, entry, "fail", unique(problems).join("; "));
    if (hiddenFields.length === 0) return entryResult(index, entry, "pass", `${type} payload valid; required fields committed`);
    return entryResult(
      index,
      entry,
      "pass",
      `${disclosed.length} disclosed ${disclosed.length === 1 ? "field" : "fields"} valid, required fields committed; ` +
        `rules across fields not checked while ${hiddenFields.join(", ")} ${hiddenFields.length === 1 ? "is" : "are"} hidden`,
    );
  });
  return summarise(results, "every disclosed field is valid for its event type and every required field is committed");
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
