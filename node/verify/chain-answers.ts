// Comparing the chain's answers: hex strings in any case, and the zero address the chain gives for "none".

export const ZERO_ADDRESS = "0x" + "00".repeat(20);

/** Hex strings (hashes, addresses) equal regardless of case: a ChainReader may answer in checksum or lower case. */
export function sameHex(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
