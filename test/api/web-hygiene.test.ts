// What a browser is told about the node's pages: a content security policy that frames nothing and loads nothing
// from elsewhere, no sniffing, no referrer, cross-site form posts refused, and an icon.
import { expect } from "chai";
import { createApp } from "../../api/app";
import { openTestNode } from "../helpers/bundle";

describe("web hygiene of the explorer and the API", function () {
  this.timeout(60_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let app: ReturnType<typeof createApp>;

  before(async () => {
    node = await openTestNode({ logName: "web-hygiene-test-log" });
    app = createApp({ node: node.runtime.api, startedAt: new Date() });
  });
  after(async () => {
    await node?.close();
  });

  for (const url of ["/", "/verify", "/v1/brands", "/docs"]) {
    it(`sends the secure headers on ${url}`, async () => {
      const response = await app.request(url);
      expect(response.status).to.equal(200);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).to.contain("default-src 'none'");
      expect(csp).to.contain("frame-ancestors 'none'");
      expect(csp).to.contain("form-action 'self'");
      expect(response.headers.get("x-content-type-options")).to.equal("nosniff");
      expect(response.headers.get("referrer-policy")).to.equal("no-referrer");
      expect(response.headers.get("x-frame-options")).to.equal("DENY");
    });
  }

  it("serves a favicon", async () => {
    const response = await app.request("/favicon.ico");
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("image/svg+xml");
    expect(await response.text()).to.match(/^<svg /);
  });

  const upload = (headers: Record<string, string>) =>
    app.request("http://localhost/verify", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ json: "{}" }).toString(),
    });

  it("refuses the explorer's form posted from another site", async () => {
    expect((await upload({ origin: "https://evil.example" })).status).to.equal(403);
    expect((await upload({ "sec-fetch-site": "cross-site" })).status).to.equal(403);
  });

  it("answers the explorer's form posted from its own pages", async () => {
    const response = await upload({ origin: "http://localhost" });
    expect(response.status).to.not.equal(403);
    expect(await response.text()).to.contain("<html");
  });
});
