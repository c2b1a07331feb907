// /authenticity — is an item (GTIN + serial) in its brand's anchored catalog, and is it a clone; who sold it and
// where it was seen only for the brand's owner and customs, so not on this anonymous page.
import type { FC } from "hono/jsx";
import type { AuthenticityReport } from "../../node/node-api";
import { ErrorBox, Layout } from "./layout";
import { count } from "./format";

export type AuthenticityQuery = { gtin?: string; serial?: string; shipmentId?: string };

const VERDICTS: Record<AuthenticityReport["verdict"], { status: string; title: string }> = {
  authentic: { status: "pass", title: "✔ Authentic" },
  not_registered: { status: "fail", title: "✘ Not registered by any brand" },
  unauthorised_seller: { status: "fail", title: "✘ Sold by a seller the brand has not authorised" },
  suspected_clone: { status: "fail", title: "✘ Suspected clone: the same serial in other shipments" },
};

const yesNo = (value: boolean | null, unknown = "not known") => (value === null ? unknown : value ? "yes" : "no");

const AuthenticityForm: FC<{ query: AuthenticityQuery }> = ({ query }) => (
  <form class="stack" method="get" action="/authenticity">
    <label>
      GTIN <span class="hint">8, 12, 13 or 14 digits</span>
      <input type="text" name="gtin" value={query.gtin} inputmode="numeric" autocomplete="off" required />
    </label>
    <label>
      Serial
      <input type="text" name="serial" value={query.serial} autocomplete="off" required />
    </label>
    <label>
      Shipment id <span class="hint">optional: the shipment the item is in, so other shipments count as clones</span>
      <input type="text" name="shipmentId" value={query.shipmentId} autocomplete="off" />
    </label>
    <div>
      <button type="submit">Check</button>
    </div>
  </form>
);

const AuthenticityResult: FC<{ report: AuthenticityReport }> = ({ report }) => {
  const verdict = VERDICTS[report.verdict];
  return (
    <section aria-labelledby="result-title">
      <h2 id="result-title">
        GTIN <span class="mono">{report.gtin}</span>, serial <span class="mono">{report.serial}</span>
      </h2>
      <div class={`verdict s-${verdict.status}`} data-verdict={report.verdict} role="status">
        <strong>{verdict.title}</strong>
        {report.reasons.length > 0 ? (
          <ul class="notes">
            {report.reasons.map((reason) => (
              <li>{reason}</li>
            ))}
          </ul>
        ) : (
          <p>In {report.brand}'s anchored catalog, proven on the chain, and in no other shipment.</p>
        )}
      </div>
      <section class="panel">
        <dl class="facts">
          <dt>Brand</dt>
          <dd>{report.brand ?? "none"}</dd>
          <dt>Registered</dt>
          <dd>{yesNo(report.registered)}</dd>
          <dt>Proven on the chain</dt>
          <dd data-proven={String(report.provenOnChain)}>{report.provenOnChain ? "yes: ProductRegistry accepted the item's proof" : "no"}</dd>
          {report.catalog ? (
            <>
              <dt>Catalog</dt>
              <dd>
                version {report.catalog.version}, {count(report.catalog.itemCount)} items, leaf {report.catalog.leafIndex}
              </dd>
              <dt>Items root</dt>
              <dd>
                <code>{report.catalog.itemsRoot}</code>
              </dd>
            </>
          ) : null}
          <dt>Sold by authorised sellers</dt>
          <dd>{yesNo(report.soldByAuthorisedSeller, "not known (no sighting, or the brand lists no sellers)")}</dd>
          <dt>Clone</dt>
          <dd>{yesNo(report.clone)}</dd>
        </dl>
      </section>
      <SightingsWithheld />
    </section>
  );
};

/**
 * Where the ledger saw the item is told only to the brand's owner and to customs, in a signed read (spec §8, §9); the
 * explorer's readers are anonymous, so the page says where to ask instead.
 */
const SightingsWithheld: FC = () => (
  <p class="muted" data-sightings="withheld">
    Which shipments hold the item, and who sold it, is shown only to the brand's owner and to customs, in a signed GET /v1/authenticity.
  </p>
);

export const AuthenticityPage: FC<{ query: AuthenticityQuery; report?: AuthenticityReport; error?: { message: string; code: string } }> = ({
  query,
  report,
  error,
}) => (
  <Layout title="Authenticity" section="authenticity">
    <h1>Is this item authentic?</h1>
    <p class="muted">Checks the item against its brand's catalog anchored in ProductRegistry, and the log for the same serial in other shipments.</p>
    {error ? <ErrorBox message={error.message} code={error.code} /> : null}
    <AuthenticityForm query={query} />
    {report ? <AuthenticityResult report={report} /> : null}
  </Layout>
);
