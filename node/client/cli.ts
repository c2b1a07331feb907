// `borderledger sign-event` and `borderledger sign-read`: sign with a participant's key so that curl can append and read.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { EVENT_TYPES, type EventType } from "../domain/event-types";
import { BorderLedgerClient } from "./client";

export const SIGN_USAGE = `usage:
  borderledger sign-event --key 0x… --node URL --shipment ID --type TYPE --payload payload.json [--occurred-at ISO]
      prints the signed append request: POST it to URL/v1/shipments/ID/events
  borderledger sign-read --key 0x… METHOD PATH
      prints the X-BL-* headers of a signed read of PATH (e.g. /v1/shipments/ID/trace), one per line (curl -H @file)

  --key may also come from BL_PRIVATE_KEY`;

type Output = { out: (text: string) => void; err: (text: string) => void };

class UsageError extends Error {}

/** Runs `sign-event` or `sign-read` with `argv` (the command first); resolves to the exit status. */
export async function runSignCli({ argv, output }: { argv: readonly string[]; output: Output }): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        key: { type: "string" },
        node: { type: "string" },
        shipment: { type: "string" },
        type: { type: "string" },
        payload: { type: "string" },
        "occurred-at": { type: "string" },
      },
    });
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
      const occurredAt = values["occurred-at"] === undefined ? Date.now() : Date.parse(values["occurred-at"]);
      if (!Number.isFinite(occurredAt)) throw new UsageError("--occurred-at must be an ISO 8601 time");
      const client = await BorderLedgerClient.connect({ nodeUrl: values.node.replace(/\/$/, ""), privateKey: key });
      const { request } = client.buildEvent({
        shipmentId: values.shipment,
        eventType: values.type as EventType,
        payload: payload as Record<string, unknown>,
        occurredAt,
      });
      output.out(JSON.stringify(request, null, 2));
      return 0;
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (error) {
    output.err(`borderledger: ${(error as Error).message}\n${SIGN_USAGE}`);
    return 2;
  }
}
