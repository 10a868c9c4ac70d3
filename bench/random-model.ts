/**
 * Seeded random transportation-style LP shaped like a collateral allocation: columns are
 * eligible (asset, account) pairs holding a market value in currency, rows are one coverage
 * row per account (sum of post-haircut value >= requirement) and one inventory row per asset
 * (sum of value moved <= value held). Per-pair upper bounds play the concentration caps.
 * Values are in the millions, costs in basis points (cost coefficient = bps / 10,000), so the
 * model has the coefficient range of the real one. It is feasible by construction: moving half
 * of each asset's value, split evenly over its eligible accounts, meets every requirement.
 */
import type { LinearModel } from '../src/optimizer/solvers/linear-model';
import { seededRandom } from '../src/support/seeded-random';

export function randomTransportModel(pairs: number, seed: number): LinearModel {
  const random = seededRandom(seed);
  const accountCount = Math.max(2, Math.round(Math.sqrt(pairs / 8)));
  // Half of all (asset, account) combinations are eligible.
  const assetCount = Math.ceil((2 * pairs) / accountCount);

  // Partial Fisher-Yates over all combinations picks `pairs` distinct eligible ones.
  const combinations = new Int32Array(assetCount * accountCount).map((_, index) => index);
  for (let index = 0; index < pairs; index += 1) {
    const swapWith = index + Math.floor(random() * (combinations.length - index));
    [combinations[index], combinations[swapWith]] = [combinations[swapWith], combinations[index]];
  }
  const chosen = Array.from(combinations.subarray(0, pairs)).sort((left, right) => left - right);
  const pairAsset = chosen.map((combination) => Math.floor(combination / accountCount));
  const pairAccount = chosen.map((combination) => combination % accountCount);

  const inventoryValue = Array.from({ length: assetCount }, () => 1e6 + random() * 49e6);
  const haircut = Array.from({ length: assetCount }, () => Math.floor(random() * 30) / 100);
  const accountsPerAsset = new Array<number>(assetCount).fill(0);
  for (const asset of pairAsset) accountsPerAsset[asset] += 1;

  const requirement = new Array<number>(accountCount).fill(0);
  chosen.forEach((_, pair) => {
    const asset = pairAsset[pair];
    requirement[pairAccount[pair]] +=
      (0.5 * (1 - haircut[asset]) * inventoryValue[asset]) / accountsPerAsset[asset];
  });

  // Rows: accounts first, then assets. Each column has exactly two entries, already row-sorted.
  const rowCount = accountCount + assetCount;
  const columnStart = new Int32Array(pairs + 1);
  const rowIndex = new Int32Array(2 * pairs);
  const value = new Float64Array(2 * pairs);
  const objective = new Float64Array(pairs);
  const columnUpper = new Float64Array(pairs);
  for (let pair = 0; pair < pairs; pair += 1) {
    const asset = pairAsset[pair];
    const account = pairAccount[pair];
    columnStart[pair + 1] = 2 * (pair + 1);
    rowIndex[2 * pair] = account;
    value[2 * pair] = 1 - haircut[asset];
    rowIndex[2 * pair + 1] = accountCount + asset;
    value[2 * pair + 1] = 1;
    const fundingCostBps = 2 + random() * 48;
    objective[pair] = fundingCostBps / 10_000;
    const evenShare = inventoryValue[asset] / accountsPerAsset[asset];
    const concentrationCap = (0.3 * requirement[account]) / (1 - haircut[asset]);
    columnUpper[pair] = Math.min(inventoryValue[asset], Math.max(0.6 * evenShare, concentrationCap));
  }

  const rowLower = new Float64Array(rowCount).fill(-Infinity);
  const rowUpper = new Float64Array(rowCount).fill(Infinity);
  requirement.forEach((amount, account) => (rowLower[account] = amount));
  inventoryValue.forEach((amount, asset) => (rowUpper[accountCount + asset] = amount));

  return {
    columnCount: pairs,
    rowCount,
    objective,
    columnLower: new Float64Array(pairs),
    columnUpper,
    integrality: new Uint8Array(pairs),
    rowLower,
    rowUpper,
    columnStart,
    rowIndex,
    value,
  };
}
