// Strict hex conversions: lowercase, 0x-prefixed (spec §2.1), for hashes, salts and signatures.

const HEX = /^0x([0-9a-f]{2})*$/;

/** Whether `value` is 0x-prefixed lowercase hex of `bytes` bytes. */
export function isLowerHex(value: unknown, bytes: number): value is string {
  return typeof value === "string" && value.length === 2 + 2 * bytes && HEX.test(value);
}

/** Lowercase 0x hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Bytes of 0x-prefixed lowercase hex; throws RangeError otherwise. */
export function fromHex(value: string): Buffer {
  if (!HEX.test(value)) throw new RangeError(`not 0x-prefixed lowercase hex: ${value.slice(0, 80)}`);
  return Buffer.from(value.slice(2), "hex");
}

/**
 * As fromHex, in a buffer of their own, for bytes kept long (a Merkle node held in memory): a small Buffer.from is
 * a slice of Node's shared 8 KiB pool, and a kept slice keeps the whole pool slab alive with it.
 */
export function fromHexKept(value: string): Buffer {
  if (!HEX.test(value)) throw new RangeError(`not 0x-prefixed lowercase hex: ${value.slice(0, 80)}`);
  const bytes = Buffer.allocUnsafeSlow((value.length - 2) / 2);
  bytes.write(value.slice(2), "hex");
  return bytes;
}
