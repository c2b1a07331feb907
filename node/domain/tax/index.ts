// The duty and tax engine's public surface (spec §8): versioned rule sets and assess().
export { assess, type AssessParams, type TaxAssessment, type TaxLine } from "./assess";
export { CURRENCY_MINOR_UNITS, getRuleSet, listRuleSets, parseRuleSet, ruleSetFor, TAX_RULE_SET_FORMAT, TaxRuleSet, type TaxRuleSetSummary } from "./rule-set";
