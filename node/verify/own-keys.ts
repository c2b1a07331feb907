// Own-key reads of the bundle's records, which come from anyone: a field named "constructor" is not the prototype's.

export function hasOwn(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

export function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return hasOwn(record, key) ? record[key] : undefined;
}
