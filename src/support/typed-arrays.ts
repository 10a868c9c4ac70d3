/** `array`'s first min(length, capacity) entries in a new array of `capacity` (the rest 0). */
export function resized<T extends Float64Array | Int32Array | Uint8Array>(array: T, capacity: number): T {
  const copy = new (array.constructor as new (length: number) => T)(capacity);
  copy.set(array.subarray(0, Math.min(array.length, capacity)));
  return copy;
}
