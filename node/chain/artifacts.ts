// Loads the compiled contracts (ABI and bytecode) that `hardhat compile` writes under artifacts/.
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export const CONTRACT_NAMES = ["ParticipantRegistry", "AnchorRegistry", "ProductRegistry"] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export type ContractArtifact = { contractName: string; abi: readonly object[]; bytecode: string };

// Artifacts are files on disk that a stale or partial build may have left: parse them before use.
const ArtifactFile = z.object({
  contractName: z.string(),
  abi: z.array(z.object({}).passthrough()),
  bytecode: z.string().regex(/^0x[0-9a-fA-F]*$/),
});

const ARTIFACTS_DIR = path.resolve(__dirname, "../../artifacts/contracts");
const cache = new Map<ContractName, ContractArtifact>();

/** The compiled artifact of one BorderLedger contract; throws with the fix when it has not been compiled. */
export function loadArtifact(name: ContractName): ContractArtifact {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = path.join(ARTIFACTS_DIR, `${name}.sol`, `${name}.json`);
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch {
    throw new Error(`contract artifact ${file} is missing: run \`npx hardhat compile\` first`);
  }
  const artifact = ArtifactFile.parse(JSON.parse(raw));
  cache.set(name, artifact);
  return artifact;
}
