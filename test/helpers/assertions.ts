// Shared assertions for tests of the node.
import { expect } from "chai";
import { BorderLedgerError } from "../../node/domain/errors";

/** The BorderLedgerError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<BorderLedgerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(BorderLedgerError);
    return error as BorderLedgerError;
  }
  throw new Error("expected a rejection");
}

/** `value`, failing the test when it is undefined or null: an element or entry the test's own setup put there. */
export function defined<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) expect.fail(`expected ${what} to be present`);
  return value;
}

/** Element `index` of `items` (negative counts from the end, as at() does), failing the test when there is none. */
export function elementAt<T>(items: readonly T[], index: number): T {
  return defined(items.at(index), `element ${index} of ${items.length}`);
}
