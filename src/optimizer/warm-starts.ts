/**
 * Where the last optimal LP of a book's structure ended, to start the next solve of that structure
 * there. A desk re-optimizes on every price tick: prices move, the eligible pairs and limits do not,
 * and the optimal basis barely changes. Started from the previous working set and basis, the
 * partial solve (solvers/partial-solve.ts) needs a few simplex iterations instead of its pricing
 * rounds: after prices moved by up to 2%, 18-27 ms against 270-370 ms cold at 1000x100, and
 * 69-294 ms against 1.05-1.31 s at 2000x200 (bench/optimizer-bench.ts has the end-to-end rows).
 * The answer is the same exact optimum either way: a start only decides where the simplex begins.
 *
 * Keyed by the model's layout (which pairs are columns, which limits are rows, in which order), so
 * a start is only ever applied to a model whose columns and rows mean what they meant.
 */
import { setKeepingLatest } from '../support/memo';
import type { Formulation } from './formulation/build-model';
import type { OptimizeRequest } from './optimizer.types';
import type { LinearBasis, WorkingSet } from './solvers/linear-model';

export interface WarmStart {
  readonly workingSet: WorkingSet;
  readonly basis: LinearBasis;
}

/** Starts by model layout, the most recently used kept (a few MB each on a 2000x200 book). */
export class WarmStarts {
  private readonly entries = new Map<string, WarmStart>();

  constructor(private readonly capacity = 8) {}

  get(key: string): WarmStart | undefined {
    const start = this.entries.get(key);
    // Most recently used last, so it is the last to go.
    if (start !== undefined) setKeepingLatest(this.entries, key, start, this.capacity);
    return start;
  }

  set(key: string, start: WarmStart): void {
    setKeepingLatest(this.entries, key, start, this.capacity);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The layout of a formulation's model: mode and lot mode, the accounts and supplies in order, each
 * allocation column's (supply, account), each concentration row's (account, limit, part), and the
 * model's dimensions. Two formulations with one key have columns and rows that mean the same.
 */
export function layoutKey(formulation: Formulation, request: OptimizeRequest): string {
  let hash = 0x811c9dc5;
  const mix = (value: number) => {
    hash = Math.imul(hash ^ value, 0x01000193);
  };
  const mixText = (text: string) => {
    for (let index = 0; index < text.length; index += 1) mix(text.charCodeAt(index));
    mix(0);
  };
  for (const target of formulation.targets) mixText(target.account.id);
  for (const supply of formulation.supplies) mixText(supply.key);
  const { allocations } = formulation;
  for (let index = 0; index < allocations.count; index += 1) {
    mix(allocations.column[index]);
    mix(allocations.supplyIndex[index]);
    mix(allocations.targetIndex[index]);
    mix(allocations.isKeep(index) ? 1 : 0);
  }
  for (const row of formulation.concentrationRows) {
    mix(row.row);
    mix(row.targetIndex);
    mix(row.limitIndex);
    mixText(row.part);
  }
  const { model } = formulation;
  return [
    request.mode,
    request.lotMode ? 'lots' : 'continuous',
    model.columnCount,
    model.rowCount,
    allocations.count,
    (hash >>> 0).toString(16),
  ].join(':');
}
