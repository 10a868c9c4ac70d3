/** `array`'s first min(length, capacity) entries in a new array of `capacity` (the rest 0). */
export function resized<T extends Float64Array | Int32Array | Uint8Array>(array: T, capacity: number): T {
  const copy = new (array.constructor as new (length: number) => T)(capacity);
  copy.set(array.subarray(0, Math.min(array.length, capacity)));
  return copy;
}

/**
 * Zeroed arrays on a SharedArrayBuffer. A model's coefficient arrays are made so: a solver worker
 * is sent them without a copy (solver-pool.ts), and neither thread writes them once built.
 */
export function sharedInt32Array(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

export function sharedFloat64Array(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/** The positions of `flags` that hold `flag`, ascending, in an array made at its size. */
export function indicesWhere(flags: Uint8Array, flag: number): Int32Array {
  let count = 0;
  for (let index = 0; index < flags.length; index += 1) if (flags[index] === flag) count += 1;
  const indices = new Int32Array(count);
  let written = 0;
  for (let index = 0; index < flags.length; index += 1) if (flags[index] === flag) indices[written++] = index;
  return indices;
}
