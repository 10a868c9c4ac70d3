/**
 * Rules both store adapters share, in one place so they cannot drift apart: the order lists come
 * back in, the duplicate-key check of a book, and how a batch of inventory adjustments is netted
 * per holding and checked before anything is written.
 */
import type { Decimal } from '../domain/decimal';
import { ConflictError, type FieldIssue, NotFoundError, ValidationError } from '../domain/errors';
import { holdingKey } from '../domain/model';
import type { BookDraft, InventoryAdjustment, PriceHistory } from './store.port';

/**
 * Plain code-unit order. Both adapters sort in JavaScript with this comparator (MongoDB's own
 * string order is by UTF-8 bytes, which differs for characters outside the BMP).
 */
export function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Lists come back ordered by id; holdings by asset id, then location. */
export function compareById(a: { readonly id: string }, b: { readonly id: string }): number {
  return compareText(a.id, b.id);
}

export function compareHoldings(
  a: { readonly assetId: string; readonly location: string },
  b: { readonly assetId: string; readonly location: string },
): number {
  return compareText(a.assetId, b.assetId) || compareText(a.location, b.location);
}

/** Scenarios by name, histories by asset id: the order both adapters list them in. */
export function compareByName(a: { readonly name: string }, b: { readonly name: string }): number {
  return compareText(a.name, b.name);
}

export function compareByAssetId(a: { readonly assetId: string }, b: { readonly assetId: string }): number {
  return compareText(a.assetId, b.assetId);
}

function collectRepeats(
  issues: FieldIssue[],
  keys: readonly string[],
  path: (index: number) => string,
  what: string,
): void {
  const seen = new Set<string>();
  keys.forEach((key, index) => {
    if (seen.has(key)) issues.push({ path: path(index), message: `repeats ${what} '${key}'` });
    seen.add(key);
  });
}

/** Two histories for one asset in one write cannot be stored: which one would win is not defined. */
export function checkHistoryKeys(histories: readonly PriceHistory[], path = 'histories'): void {
  const issues: FieldIssue[] = [];
  collectRepeats(
    issues,
    histories.map((history) => history.assetId),
    (index) => `${path}[${index}].assetId`,
    'asset id',
  );
  if (issues.length > 0) throw new ValidationError(issues, 'price history');
}

/** A book with two assets, holdings, accounts, scenarios or histories under one key cannot be stored. */
export function checkBookKeys(book: BookDraft): void {
  const issues: FieldIssue[] = [];
  const collect = (keys: readonly string[], path: (index: number) => string, what: string): void =>
    collectRepeats(issues, keys, path, what);
  collect(
    book.assets.map((asset) => asset.id),
    (index) => `assets[${index}].id`,
    'asset id',
  );
  collect(book.inventory.map(holdingKey), (index) => `inventory[${index}]`, 'holding');
  collect(
    book.accounts.map((account) => account.id),
    (index) => `accounts[${index}].id`,
    'account id',
  );
  collect(
    (book.scenarios ?? []).map((scenario) => scenario.name),
    (index) => `scenarios[${index}].name`,
    'scenario name',
  );
  collect(
    (book.priceHistories ?? []).map((history) => history.assetId),
    (index) => `priceHistories[${index}].assetId`,
    'price history of asset',
  );
  if (issues.length > 0) throw new ValidationError(issues, 'book');
}

/** The net effect of a batch on one holding. */
export interface HoldingChange {
  readonly assetId: string;
  readonly location: string;
  /** Sum of every delta in the batch for this holding. */
  readonly delta: Decimal;
  /** The last funding cost given for this holding in the batch, if any. */
  readonly fundingCostBps?: Decimal;
  /** Index of the first adjustment for this holding, for error paths. */
  readonly firstIndex: number;
}

/**
 * Nets a batch per holding, in order of first appearance. The batch is applied as a whole, so
 * only the net change has to respect "never below zero": [-10, +5] on 8 free is accepted.
 */
export function netAdjustments(adjustments: readonly InventoryAdjustment[]): HoldingChange[] {
  const changes = new Map<string, HoldingChange>();
  adjustments.forEach((adjustment, index) => {
    const key = holdingKey(adjustment);
    const previous = changes.get(key);
    changes.set(key, {
      assetId: adjustment.assetId,
      location: adjustment.location,
      delta: previous ? previous.delta.plus(adjustment.delta) : adjustment.delta,
      fundingCostBps: adjustment.fundingCostBps ?? previous?.fundingCostBps,
      firstIndex: previous ? previous.firstIndex : index,
    });
  });
  return [...changes.values()];
}

/** What the check needs to know of a holding that exists now. */
export interface CurrentHolding {
  readonly quantity: Decimal;
}

/**
 * Checks a netted batch against the holdings as they are, before any write. Throws, in this
 * order: ValidationError naming every new holding without a funding cost; NotFoundError for the
 * first change that does not add to a holding that does not exist (zero or negative delta);
 * ConflictError for the first change that would take a holding below zero.
 */
export function checkHoldingChanges(
  changes: readonly HoldingChange[],
  current: (change: HoldingChange) => CurrentHolding | undefined,
): void {
  const issues: FieldIssue[] = [];
  for (const change of changes) {
    if (!current(change) && createsHolding(change) && !change.fundingCostBps) {
      issues.push({
        path: `adjustments[${change.firstIndex}].fundingCostBps`,
        message: `is required to create holding '${holdingKey(change)}'`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, 'inventory adjustment');
  for (const change of changes) {
    if (!current(change) && !createsHolding(change)) throw new NotFoundError('holding', holdingKey(change));
  }
  for (const change of changes) {
    const holding = current(change);
    if (holding && holding.quantity.plus(change.delta).lessThan(0))
      throw insufficientInventory(change, holding);
  }
}

/** A change to a holding that does not exist creates it only when it adds a positive quantity. */
export function createsHolding(change: HoldingChange): boolean {
  return change.delta.greaterThan(0);
}

export function insufficientInventory(change: HoldingChange, holding: CurrentHolding): ConflictError {
  return new ConflictError(
    `Holding '${holdingKey(change)}' has ${holding.quantity.toFixed()} free; ` +
      `the adjustment needs ${change.delta.negated().toFixed()}`,
  );
}
