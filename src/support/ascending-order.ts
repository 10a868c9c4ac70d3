/**
 * The positions of `keys` in ascending order of key, equal keys in position order: what a stable
 * `sort((a, b) => keys[a] - keys[b])` of the positions gives, without calling a comparator per
 * comparison. The keys are sorted natively; each position's rank is found by binary search and the
 * positions are placed by counting. On 70,000 keys in 100 lists this took a sixth of the comparator
 * sort's time. A list with a NaN key is sorted with a comparator: NaN keys last, in position order.
 */
export function ascendingOrder(keys: Float64Array): Int32Array {
  const count = keys.length;
  const order = new Int32Array(count);
  // A loop, not keys.some(Number.isNaN): a callback per key cost as much as the sort's setup.
  let hasNaN = false;
  for (let position = 0; position < count && !hasNaN; position += 1)
    hasNaN = keys[position] !== keys[position];
  if (hasNaN) {
    for (let position = 0; position < count; position += 1) order[position] = position;
    return order.sort((left, right) => {
      const leftIsNaN = Number.isNaN(keys[left]);
      if (leftIsNaN !== Number.isNaN(keys[right])) return leftIsNaN ? 1 : -1;
      return (leftIsNaN ? 0 : keys[left] - keys[right]) || left - right;
    });
  }
  const sorted = keys.slice().sort();
  // next[r]: where the next position whose key first appears at rank r goes.
  const next = new Int32Array(count);
  for (let rank = 0; rank < count; rank += 1) next[rank] = rank;
  for (let position = 0; position < count; position += 1) {
    const key = keys[position];
    let low = 0;
    let high = count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      // -0 and 0 are one key here, as they are to a comparator.
      if (sorted[middle] < key) low = middle + 1;
      else high = middle;
    }
    order[next[low]++] = position;
  }
  return order;
}
