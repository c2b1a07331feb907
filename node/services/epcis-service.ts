// EPCIS 2.0 in and out: a shipment's trace exported as an EPCIS document for one viewer, and an EPCIS document signed
// by its submitter recorded as ledger events, all of them or none (spec §9, "EPCIS 2.0").
import { BorderLedgerError, invariant } from "../domain/errors";
import type { Issue } from "../domain/event";
import { bundleToEpcis, type EpcisDocument } from "../domain/epcis/document";
import { EpcisImportBodySchema, epcisDocumentDigest, epcisDocumentHash, planEpcisImport } from "../domain/epcis/import";
import { validationFailed } from "../domain/payloads";
import { SignatureError, recoverSigner } from "../domain/signature";
import type { Viewer } from "../domain/views";
import type { EventType } from "../domain/event-types";
import type { ParticipantLookup } from "../ports";
import type { AppendOutcome, Ledger } from "../ledger";
import type { EpcisImportStore } from "../store/epcis-import-store";
import { buildTraceBundle, type TraceSource } from "./trace-service";

export type EpcisImportResult = {
  documentHash: string;
  submitter: string;
  /** "created" when at least one event is new in this log, "replayed" when every one was already there. */
  status: "created" | "replayed";
  events: { index: number; eventType: EventType; eventID: string; status: "created" | "replayed"; receipt: AppendOutcome["receipt"]; notRecorded: string[] }[];
};

const EVENT_PATHS = { event: "bl:event", payload: "bl:payload", salts: "bl:salts" } as const;

/** An append error of event `index`, re-pathed to where that event sits in the document. */
function inDocument(error: BorderLedgerError): BorderLedgerError {
  const details = (error.details ?? {}) as { index?: number; issues?: Issue[] };
  if (details.index === undefined) return error;
  const at = `document.epcisBody.eventList[${details.index}]`;
  const repath = (path: string) => {
    const member = /^(event|payload|salts)\b(.*)$/.exec(path);
    const [, name, rest] = member ?? [];
    return name !== undefined ? `${at}.${EVENT_PATHS[name as keyof typeof EVENT_PATHS]}${rest ?? ""}` : path ? `${at}.${path}` : at;
  };
  const issues = details.issues?.map((issue) => ({ ...issue, path: repath(issue.path) }));
  const message = error.message.replace(/^event \d+: /, "");
  return new BorderLedgerError(error.code, `${at}: ${message}`, { ...details, ...(issues ? { issues } : {}) });
}

export class EpcisService {
  constructor(
    private readonly deps: {
      source: TraceSource;
      ledger: Ledger;
      participants: ParticipantLookup;
      imports: EpcisImportStore;
      clock?: () => number;
    },
  ) {}

  /** The shipment as this viewer may see it, as an EPCIS 2.0 document (hidden fields stay hidden). */
  async export({ shipmentId, viewer }: { shipmentId: string; viewer: Viewer }): Promise<EpcisDocument> {
    const bundle = await buildTraceBundle({ source: this.deps.source, shipmentId, viewer });
    const creationDate = new Date((this.deps.clock ?? Date.now)()).toISOString();
    return bundleToEpcis({ bundle, separator: this.deps.ledger.domainSeparator, creationDate });
  }

  /**
   * Records a signed EPCIS document's events for `shipmentId`. Refuses, storing nothing: a body that is not
   * `{ document, signature }` or a document the GS1 schema refuses (400, the schema's messages), a bad signature
   * (401), a submitter who is not an active participant (403), an event that breaks a BorderLedger rule (400, 401,
   * 403 or 409 like the same append would, at its path in the document).
   */
  async import({ shipmentId, body }: { shipmentId: string; body: unknown }): Promise<EpcisImportResult> {
    const parsed = EpcisImportBodySchema.safeParse(body);
    if (!parsed.success) throw validationFailed(parsed.error);
    const { document, signature } = parsed.data;
    const separator = this.deps.ledger.domainSeparator;
    const plan = planEpcisImport({ document, shipmentId, separator });
    if (!plan.ok) {
      const shown = plan.issues
        .slice(0, 3)
        .map((i) => `${i.path}: ${i.message}`)
        .join("; ");
      const more = plan.issues.length > 3 ? `; and ${plan.issues.length - 3} more` : "";
      const what = plan.rule === "EPCIS_SCHEMA" ? "the GS1 EPCIS 2.0 schema refuses the document" : "the document breaks a BorderLedger import rule";
      throw new BorderLedgerError("VALIDATION_FAILED", `${what}: ${shown}${more}`, { rule: plan.rule, issues: plan.issues });
    }
    const documentHash = epcisDocumentHash(document);
    let submitter: string;
    try {
      submitter = recoverSigner({ digest: epcisDocumentDigest({ separator, shipmentId, documentHash }), signature });
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
      throw new BorderLedgerError("BAD_SIGNATURE", `signature: ${error.message}`, { issues: [{ path: "signature", message: error.message }] });
    }
    const participant = await this.deps.participants.lookup(submitter);
    if (!participant?.active) {
      throw new BorderLedgerError("FORBIDDEN", `signature: the document is signed by ${submitter}, who is not an active participant`, {
        submitter,
        documentHash,
      });
    }
    let outcomes: AppendOutcome[];
    try {
      outcomes = await this.deps.ledger.appendAll(plan.events.map((e) => ({ body: e.request })));
    } catch (error) {
      throw error instanceof BorderLedgerError ? inDocument(error) : error;
    }
    await this.deps.imports.putIfAbsent({
      documentHash,
      shipmentId,
      submitter,
      signature,
      leafIndices: outcomes.map((o) => o.receipt.leafIndex),
      importedAt: (this.deps.clock ?? Date.now)(),
    });
    const events = plan.events.map((planned, index) => {
      const outcome = outcomes[index];
      // Recorded, so well formed: the plan computed its identity, and appendAll answered every event.
      invariant(planned.eventID !== undefined && outcome !== undefined, `event ${index} was recorded without an eventID or an outcome`);
      return {
        index,
        eventType: planned.eventType,
        eventID: planned.eventID,
        status: outcome.status,
        receipt: outcome.receipt,
        notRecorded: planned.notRecorded,
      };
    });
    return { documentHash, submitter, status: events.some((e) => e.status === "created") ? "created" : "replayed", events };
  }
}
