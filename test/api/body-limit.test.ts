import { serve, type ServerType } from "@hono/node-server";
import { expect } from "chai";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AddressInfo } from "node:net";
import { sizeLimit } from "../../api/body-limit";
import { settleUnreadBody } from "../../api/server";

const MAX = 1024;

/**
 * Whether @hono/node-server built the whole Fetch Request behind `raw` (its own `requestCache` property, the one
 * sign of it; named here so that a change of node-server's internals fails this test rather than passing it).
 */
const builtRequest = (raw: Request) => Object.getOwnPropertySymbols(raw).some((key) => key.description === "requestCache" && (raw as never)[key] !== undefined);

/** An app that answers with the length of the body it read, behind the limit, and whether the request was built. */
function app(): Hono {
  return new Hono()
    .use(
      sizeLimit(MAX, () => {
        throw new HTTPException(413, { message: "too large" });
      }),
    )
    .post("/", async (c) => c.text(`${(await c.req.text()).length} ${builtRequest(c.req.raw)}`))
    .get("/", (c) => c.text(`read ${builtRequest(c.req.raw)}`));
}

/** A body stream that fails the test if anything reads it. */
function unreadable(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull() {
      throw new Error("the body was read");
    },
  });
}

const post = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  app().request(new Request("http://node/", { method: "POST", body, headers, duplex: "half" } as RequestInit));

describe("sizeLimit", () => {
  it("refuses a declared length over the limit without reading the body", async () => {
    const answer = await post(unreadable(), { "content-length": String(MAX + 1) });
    expect(answer.status).to.equal(413);
  });

  it("counts a body of undeclared length and refuses it once it passes the limit", async () => {
    const chunks = [new Uint8Array(MAX), new Uint8Array(1)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    });
    expect((await post(stream)).status).to.equal(413);
  });

  it("lets a body at the limit through, declared or not", async () => {
    const body = "x".repeat(MAX);
    const declared = await post(body, { "content-length": String(MAX) });
    expect([declared.status, await declared.text()]).to.deep.equal([200, `${MAX} false`]);
    const undeclared = await post(body);
    expect([undeclared.status, (await undeclared.text()).split(" ")[0]]).to.deep.equal([200, String(MAX)]);
  });

  describe("behind @hono/node-server", () => {
    let server: ServerType;
    let url: string;
    /** For each request answered, whether node-server had built the Fetch Request by the time it was settled. */
    const settled: boolean[] = [];
    before(async () => {
      const served = app();
      const fetchSettled = async (request: Request) => {
        const response = await settleUnreadBody(request, await served.fetch(request));
        settled.push(builtRequest(request));
        return response;
      };
      server = await new Promise<ServerType>((resolve) => {
        const started = serve({ fetch: fetchSettled, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
      });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("serves GETs and declared bodies without building a Fetch Request, to the end of settling them", async () => {
      settled.length = 0;
      expect(await (await fetch(url)).text()).to.equal("read false");
      expect(await (await fetch(url, { method: "POST", body: "abc" })).text()).to.equal("3 false");
      expect(settled).to.deep.equal([false, false]);
    });

    it("refuses oversized and chunked oversized POSTs", async () => {
      expect((await fetch(url, { method: "POST", body: "x".repeat(MAX + 1) })).status).to.equal(413);
      const chunked = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(MAX));
          controller.enqueue(new Uint8Array(MAX));
          controller.close();
        },
      });
      const answer = await fetch(url, { method: "POST", body: chunked, duplex: "half" } as RequestInit);
      expect(answer.status).to.equal(413);
    });
  });
});
