// Validation against the GS1 EPCIS 2.0 JSON Schema (draft-07, with its formats), compiled once, with the schema's own
// messages reported by path.
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import schema from "./gs1/EPCIS-JSON-Schema.json";

export type EpcisIssue = { path: string; message: string; keyword: string; schemaPath: string };
export type EpcisValidation = { valid: true } | { valid: false; issues: EpcisIssue[] };

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    // strict: false — the GS1 schema uses keywords ajv's strict mode flags (if/then without type, unknown formats
    // would be errors; the schema's own formats come from ajv-formats).
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** "/epcisBody/eventList/0/bizStep" → "epcisBody.eventList[0].bizStep", the path style of every other 400. */
export function jsonPointerToPath(pointer: string): string {
  let path = "";
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    path += /^[0-9]+$/.test(part) ? `[${part}]` : path === "" ? part : `.${part}`;
  }
  return path;
}

// "must match "then" schema" and "must match a schema in anyOf" only repeat that a deeper error was found: the deeper
// one names the rule, so these are dropped unless nothing else is left.
const SUMMARY_KEYWORDS = new Set(["if", "anyOf", "allOf"]);

function issueOf(error: ErrorObject): EpcisIssue {
  const where = error.keyword === "required" ? `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}` : error.instancePath;
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const message = allowed ? `${error.message} (${allowed.join(", ")})` : (error.message ?? "is invalid");
  return { path: jsonPointerToPath(where), message, keyword: error.keyword, schemaPath: error.schemaPath };
}

/** Checks a document (or a single event) against the GS1 schema; the issues are the schema's messages, each at most once. */
export function validateEpcis(document: unknown): EpcisValidation {
  const validate = validator();
  if (validate(document)) return { valid: true };
  const errors = validate.errors ?? [];
  const specific = errors.filter((e) => !SUMMARY_KEYWORDS.has(e.keyword));
  const seen = new Set<string>();
  const issues = (specific.length > 0 ? specific : errors).map(issueOf).filter((issue) => {
    const key = `${issue.path}|${issue.message}`;
    return !seen.has(key) && seen.add(key);
  });
  return { valid: false, issues };
}
