// /trace/:id — a shipment as an anonymous reader sees it, with the node's verification of every field.
import type { FC } from "hono/jsx";
import { Layout } from "./layout";
import { SearchForm } from "./home-page";
import { TraceReport, type TraceReportProps } from "./trace-report";

export const TracePage: FC<Omit<TraceReportProps, "viewNote" | "node">> = ({ bundle, report, actors }) => {
  const id = encodeURIComponent(bundle.shipmentId);
  return (
    <Layout title={`Shipment ${bundle.shipmentId}`} section="trace">
      <SearchForm />
      <h1>
        Shipment <span class="mono">{bundle.shipmentId}</span>
      </h1>
      <p class="muted">
        The bundle as JSON: <a href={`/v1/shipments/${id}/trace`}>trace</a> · <a href={`/v1/shipments/${id}/verify`}>verification</a>
      </p>
      <TraceReport
        bundle={bundle}
        report={report}
        actors={actors}
        viewNote="Shown as an anonymous reader sees it: payload fields by their digests. The verification ran on every field; only its checks and reasons are shown."
      />
    </Layout>
  );
};
