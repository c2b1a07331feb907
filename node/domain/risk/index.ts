// The risk engine (spec §8): its configuration and the assessment, re-exported for the ledger, the API and scripts.
export {
  RISK_REASON_CODES,
  assessRisk,
  riskResultPayload,
  type ConsigneeParcel,
  type RiskAssessment,
  type RiskInput,
  type RiskLane,
  type RiskReason,
  type RiskReasonCode,
  type SellerCheck,
} from "./assess-risk";
export { DEFAULT_RISK_CONFIG, HsChapter, HsHeading, RISK_CONFIG_FORMAT, RiskConfigSchema, parseRiskConfig, type RiskConfig } from "./risk-config";
