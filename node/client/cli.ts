// `borderledger sign-event` and `borderledger sign-read`: sign with a participant's key so that curl can append and read.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { EVENT_TYPES, type EventType } from "../domain/event-types";
import { OCCURRED_AT_MAX_AGE_MS, OCCURRED_AT_MAX_LEAD_MS } from "../domain/lifecycle/rules";
import { MAX_PARTIES, PARTY_NAMING_EVENT_TYPES } from "../domain/parties";
import { BorderLedgerClient } from "./client";
import { PartiesError, withParties } from "./parties";

export const SIGN_USAGE = `usage:
  borderledger sign-event --key 0x… --node URL --shipment ID --type TYPE --payload payload.json
                          [--party 0x… …] [--occurred-at ISO]
      prints the signed append request: POST it to URL/v1/shipments/ID/events
  borderledger sign-read --key 0x… METHOD PATH
      prints the X-BL-* headers of a signed read of PATH (e.g. /v1/shipments/ID/trace), one per line (curl -H @file)

  --party 0x…        an account this ORDER, DISPATCH or DECLARATION brings into the shipment (payload.parties,
                     spec §1.1), in EIP-55 checksum form; repeat it for each, at most ${MAX_PARTIES}. After seq 0 only the
                     shipment's opener and the accounts named so may append its platform, carrier and broker
                     events: a platform's ORDER names its carrier and its broker
  --occurred-at ISO  when it happened, now by default; the node refuses a time more than 30 days before it
                     records the event or more than 5 minutes after (sign events as they happen)
  --key may also come from BL_PRIVATE_KEY`;

type Output = { out: (text: string) => void; err: (text: string) => void };

class UsageError extends Error {}

/** Runs `sign-event` or `sign-read` with `argv` (the command first); resolves to the exit status. */
export async function runSignCli({ argv, output }: { argv: readonly string[]; output: Output }): Promise<number> {
  try {
    const { values, positionals } = parseArguments(argv);
    const key = values.key ?? process.env.BL_PRIVATE_KEY;
    if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError("--key must be a private key: 0x and 64 hex digits");
    const [command, ...rest] = positionals;
    if (command === "sign-read") {
      const [method, pathAndQuery] = rest;
      if (!method || !pathAndQuery || !pathAndQuery.startsWith("/")) throw new UsageError("sign-read needs METHOD and a PATH starting with /");
      const client = new BorderLedgerClient({ nodeUrl: "", privateKey: key, domain: { chainId: 1, verifyingContract: "0x" + "00".repeat(20) } });
      const headers = client.readHeaders({ method, pathAndQuery });
      output.out(
        Object.entries(headers)
          .map(([name, value]) => `${name.replace(/^x-bl-/, "X-BL-").replace(/-(\w)/g, (_, c: string) => `-${c.toUpperCase()}`)}: ${value}`)
          .join("\n"),
      );
      return 0;
    }
    if (command === "sign-event") {
      if (!values.node || !/^https?:\/\//.test(values.node)) throw new UsageError("--node must be the node's URL, e.g. http://127.0.0.1:8787");
      if (!values.shipment) throw new UsageError("--shipment is required");
      if (!values.type || !(EVENT_TYPES as readonly string[]).includes(values.type)) throw new UsageError(`--type must be one of ${EVENT_TYPES.join(", ")}`);
      if (!values.payload) throw new UsageError("--payload is required: a JSON file with the event's payload");
      let payload: unknown;
      try {
        payload = JSON.parse(await readFile(values.payload, "utf8"));
      } catch (error) {
        throw new UsageError(`--payload ${values.payload}: ${(error as Error).message}`);
      }
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw new UsageError("--payload must hold a JSON object");
      const eventType = values.type as EventType;
      const named = namedPayload({ eventType, payload: payload as Record<string, unknown>, parties: values.party, file: values.payload });
      const occurredAt = occurredAtOf(values["occurred-at"]);
      const nodeUrl = values.node.replace(/\/$/, "");
      let client: BorderLedgerClient;
      try {
        client = await BorderLedgerClient.connect({ nodeUrl, privateKey: key });
      } catch (error) {
        const cause = (error as { cause?: Error }).cause?.message;
        output.err(`borderledger: cannot read the node's EIP-712 domain from ${nodeUrl}/v1/chain: ${(error as Error).message}${cause ? ` (${cause})` : ""}`);
        return 1;
      }
      const { request } = client.buildEvent({ shipmentId: values.shipment, eventType, payload: named, occurredAt });
      output.out(JSON.stringify(request, null, 2));
      return 0;
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (error) {
    if (!(error instanceof UsageError)) {
      output.err(`borderledger: ${(error as Error).message}`);
      return 1;
    }
    output.err(`borderledger: ${error.message}\n${SIGN_USAGE}`);
    return 2;
  }
}

function parseArguments(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        key: { type: "string" },
        node: { type: "string" },
        shipment: { type: "string" },
        type: { type: "string" },
        payload: { type: "string" },
        party: { type: "string", multiple: true },
        "occurred-at": { type: "string" },
      },
    });
  } catch (error) {
    // parseArgs throws a TypeError naming the option for an unknown option or a missing value: a usage error.
    throw new UsageError((error as Error).message);
  }
}

/** The payload with the --party accounts as its parties (spec §1.1); a usage error saying what to pass otherwise. */
function namedPayload({
  eventType,
  payload,
  parties,
  file,
}: {
  eventType: EventType;
  payload: Record<string, unknown>;
  parties: string[] | undefined;
  file: string;
}): Record<string, unknown> {
  if (parties === undefined) return payload;
  if (!PARTY_NAMING_EVENT_TYPES.includes(eventType)) {
    throw new UsageError(`--party is for ${PARTY_NAMING_EVENT_TYPES.join(", ")}: a ${eventType} names no parties (spec §1.1)`);
  }
  if (payload.parties !== undefined) throw new UsageError(`${file} already names parties: give them there or with --party, not both`);
  try {
    return withParties({ eventType, payload, parties });
  } catch (error) {
    if (error instanceof PartiesError) throw new UsageError(`--party: ${error.message}`);
    throw error;
  }
}

/** --occurred-at in ms (now by default), held to the window the node accepts (rule OCCURRED_AT_WINDOW) by this clock. */
function occurredAtOf(text: string | undefined): number {
  const now = Date.now();
  if (text === undefined) return now;
  const occurredAt = Date.parse(text);
  if (!Number.isFinite(occurredAt)) throw new UsageError(`--occurred-at ${text} is not a time: pass ISO 8601, e.g. ${new Date(now).toISOString()}`);
  if (occurredAt < now - OCCURRED_AT_MAX_AGE_MS) {
    throw new UsageError(`--occurred-at ${text} is more than 30 days ago: the node refuses it (OCCURRED_AT_WINDOW); sign events as they happen`);
  }
  if (occurredAt > now + OCCURRED_AT_MAX_LEAD_MS) {
    throw new UsageError(`--occurred-at ${text} is more than 5 minutes ahead: the node refuses it (OCCURRED_AT_WINDOW) until then`);
  }
  return occurredAt;
}
