import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startNode, type RunningNode } from "../../../api/server";
import { runSignCli, SIGN_USAGE } from "../../../node/client/cli";
import { devWallet } from "../../../node/chain/dev-participants";
import type { AppendRequest } from "../../../node/domain/event";
import { parseConfig } from "../../../node/runtime/config";
import { EXAMPLE_PAYLOADS } from "../../../tools/fixtures/payload-examples";
import { postJson } from "../../helpers/http-load";

const CARRIER = devWallet(2).address;
const BROKER = devWallet(3).address;
/** Northsea Post, a carrier the ORDERs below do not name. */
const OTHER_CARRIER = 9;

/** Runs the CLI with `argv`; its exit status and what it wrote to stdout and stderr. */
async function cli(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runSignCli({ argv, output: { out: (text) => out.push(text), err: (text) => err.push(text) } });
  return { status, out: out.join("\n"), err: err.join("\n") };
}

describe("borderledger sign-event", function () {
  this.timeout(60_000);
  let dir: string;
  let node: RunningNode;
  const file = (name: string, payload: unknown): string => {
    const at = path.join(dir, name);
    writeFileSync(at, JSON.stringify(payload));
    return at;
  };
  /** sign-event of `type` by development account `signer` to `shipment`, its payload from `payloadFile`, then `extra`. */
  const signEvent = ({
    signer,
    shipment,
    type,
    payloadFile,
    extra = [],
  }: {
    signer: number;
    shipment: string;
    type: string;
    payloadFile: string;
    extra?: string[];
  }) =>
    cli(["sign-event", "--key", devWallet(signer).privateKey, "--node", node.url, "--shipment", shipment, "--type", type, "--payload", payloadFile, ...extra]);
  const post = (request: AppendRequest) => postJson(`${node.url}/v1/shipments/${request.event.shipmentId}/events`, request);

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-cli-"));
    node = await startNode({ config: parseConfig({ PORT: "0", CHAIN_PORT: "0", DATA_DIR: dir, PREPARE_WORKERS: "0" }), log: () => undefined });
  });
  after(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names each --party in the ORDER's parties, so the carrier it names may append the DISPATCH and another carrier may not", async () => {
    const { parties: _none, ...order } = structuredClone(EXAMPLE_PAYLOADS.ORDER);
    const signed = await signEvent({
      signer: 1,
      shipment: "CLI0001DE",
      type: "ORDER",
      payloadFile: file("order.json", order),
      extra: ["--party", CARRIER, "--party", BROKER],
    });
    expect(signed.status, signed.err).to.equal(0);
    const request = JSON.parse(signed.out) as AppendRequest;
    expect(request.payload.parties).to.deep.equal([CARRIER, BROKER]);
    expect(Object.keys(request.salts)).to.include("parties");
    expect((await post(request)).status).to.equal(201);

    const dispatch = file("dispatch.json", EXAMPLE_PAYLOADS.DISPATCH);
    const named = await signEvent({ signer: 2, shipment: "CLI0001DE", type: "DISPATCH", payloadFile: dispatch });
    expect((await post(JSON.parse(named.out) as AppendRequest)).status).to.equal(201);
    const stranger = await signEvent({ signer: OTHER_CARRIER, shipment: "CLI0001DE", type: "DISPATCH", payloadFile: dispatch });
    const refused = await post(JSON.parse(stranger.out) as AppendRequest);
    expect(refused.status).to.equal(403);
    expect(refused.body).to.have.nested.property("error.details.rule", "NOT_A_PARTY");
  });

  it("signs at the current time unless --occurred-at says otherwise", async () => {
    const before = Date.now();
    const signed = await signEvent({ signer: 1, shipment: "CLI0002DE", type: "ORDER", payloadFile: file("order2.json", EXAMPLE_PAYLOADS.ORDER) });
    const occurredAt = Date.parse((JSON.parse(signed.out) as AppendRequest).event.occurredAt);
    expect(occurredAt).to.be.within(before, Date.now());
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const earlier = await signEvent({
      signer: 1,
      shipment: "CLI0002DE",
      type: "ORDER",
      payloadFile: file("order2.json", EXAMPLE_PAYLOADS.ORDER),
      extra: ["--occurred-at", at],
    });
    expect((JSON.parse(earlier.out) as AppendRequest).event.occurredAt).to.equal(at);
  });

  const refusals: [what: string, argv: (payloadFile: string) => string[], type: string, message: string | RegExp][] = [
    [
      "a party that is not an address",
      () => ["--party", "0x1234"],
      "ORDER",
      'party "0x1234" is not an address: pass an account as 0x and 40 hex digits, in EIP-55 checksum form',
    ],
    [
      "a party in lower case",
      () => ["--party", CARRIER.toLowerCase()],
      "ORDER",
      `party ${CARRIER.toLowerCase()} is not in EIP-55 checksum form: pass ${CARRIER}`,
    ],
    [
      "a party whose checksum fails",
      () => ["--party", CARRIER.replace("C44C", "C44c")],
      "ORDER",
      /party 0x3C44cdDdB6a900fa2b585dd299e03d12FA4293BC fails its EIP-55 checksum \(a typo\?\): pass the address exactly as/,
    ],
    ["the same party twice", () => ["--party", CARRIER, "--party", CARRIER], "ORDER", `party ${CARRIER} is named twice: name each account once`],
    [
      "nine parties",
      () => Array.from({ length: 9 }, (_, i) => ["--party", devWallet(10 + i).address]).flat(),
      "ORDER",
      "9 parties named: an event names at most 8",
    ],
    ["a party on a DELIVERY", () => ["--party", CARRIER], "DELIVERY", "--party is for ORDER, DISPATCH, DECLARATION: a DELIVERY names no parties"],
    [
      "--occurred-at 40 days ago",
      () => ["--occurred-at", new Date(Date.now() - 40 * 86_400_000).toISOString()],
      "ORDER",
      /is more than 30 days ago: the node refuses it \(OCCURRED_AT_WINDOW\)/,
    ],
    ["--occurred-at an hour ahead", () => ["--occurred-at", new Date(Date.now() + 3_600_000).toISOString()], "ORDER", /is more than 5 minutes ahead/],
    ["--party without a value", () => ["--party"], "ORDER", /--party/],
  ];
  for (const [what, extra, type, message] of refusals) {
    it(`refuses ${what} in one line and exit code 2, before reaching the node`, async () => {
      const { parties: _none, ...order } = structuredClone(EXAMPLE_PAYLOADS.ORDER);
      const payloadFile = file("refused.json", type === "ORDER" ? order : EXAMPLE_PAYLOADS[type as "DELIVERY"]);
      // A node URL where nothing listens: the refusal comes before any request.
      const argv = [
        "sign-event",
        "--key",
        devWallet(1).privateKey,
        "--node",
        "http://127.0.0.1:9",
        "--shipment",
        "CLI0003DE",
        "--type",
        type,
        "--payload",
        payloadFile,
      ];
      const { status, out, err } = await cli([...argv, ...extra(payloadFile)]);
      expect(status).to.equal(2);
      expect(out).to.equal("");
      const [first, ...rest] = err.split("\n");
      expect(first).to.match(/^borderledger: /);
      if (typeof message === "string") expect(first).to.contain(message);
      else expect(first).to.match(message);
      expect(rest.join("\n")).to.equal(SIGN_USAGE);
    });
  }

  it("refuses --party beside a payload that names parties itself, naming the file", async () => {
    const payloadFile = file("named.json", EXAMPLE_PAYLOADS.ORDER);
    const { status, err } = await signEvent({ signer: 1, shipment: "CLI0004DE", type: "ORDER", payloadFile, extra: ["--party", CARRIER] });
    expect(status).to.equal(2);
    expect(err.split("\n")[0]).to.equal(`borderledger: ${payloadFile} already names parties: give them there or with --party, not both`);
  });

  it("says in one line, exit code 1, when the node cannot be reached", async () => {
    const payloadFile = file("order5.json", EXAMPLE_PAYLOADS.ORDER);
    const { status, err } = await cli([
      "sign-event",
      "--key",
      devWallet(1).privateKey,
      "--node",
      "http://127.0.0.1:9",
      "--shipment",
      "CLI0005DE",
      "--type",
      "ORDER",
      "--payload",
      payloadFile,
    ]);
    expect(status).to.equal(1);
    expect(err).to.match(/^borderledger: cannot read the node's EIP-712 domain from http:\/\/127\.0\.0\.1:9\/v1\/chain: [^\n]+$/);
  });

  it("tells how to name parties in its usage", () => {
    expect(SIGN_USAGE).to.contain("[--party 0x… …]");
    expect(SIGN_USAGE).to.match(/--party 0x… +an account this ORDER, DISPATCH or DECLARATION brings into the shipment/);
  });
});
