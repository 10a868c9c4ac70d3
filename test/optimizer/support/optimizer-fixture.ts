/**
 * Optimizer fixtures: a JSON file holds a book (book-file format), a request and the expected
 * answer, worked out by hand in the file's `derivation`. Decimal fields are decimal text.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import { parseBookFile } from '../../../src/domain/book/parse-book';
import { dec } from '../../../src/domain/decimal';
import type { Book } from '../../../src/domain/model';
import type { OptimizationStatus, OptimizeRequest } from '../../../src/optimizer/optimizer.types';
import type { BookDraft } from '../../../src/store/store.port';

export const FIXTURE_DIRECTORY = join(__dirname, '..', '..', 'fixtures', 'optimizer');

export interface ExpectedLine {
  readonly accountId: string;
  readonly assetId: string;
  readonly location: string;
  readonly movementType: 'KEEP' | 'DELIVER' | 'RETURN';
  readonly quantity: string;
}

export interface ExpectedAccount {
  readonly accountId: string;
  readonly shortfall: string;
  readonly shortfallReason?: string;
  readonly marginalCost?: string;
}

export interface ExpectedLimit {
  readonly accountId: string;
  readonly limitIndex: number;
  readonly shadowPrice: string;
}

export interface OptimizerFixture {
  readonly name: string;
  readonly description: string;
  readonly derivation: readonly string[];
  readonly book: unknown;
  readonly request: Record<string, unknown>;
  readonly expected: {
    readonly status: OptimizationStatus;
    readonly objective: string;
    readonly sunkPostedCost?: string;
    readonly lines: readonly ExpectedLine[];
    readonly accounts: readonly ExpectedAccount[];
    readonly bindingLimits?: readonly ExpectedLimit[];
    readonly unusedAssetBpsPerYear?: readonly { accountId: string; assetId: string; bps: string }[];
  };
}

/** A stored book has versions; a fixture's book is new, so every version is 1. */
export function draftToBook(draft: BookDraft): Book {
  return {
    market: { ...draft.market, version: 1 },
    assets: draft.assets.map((asset) => ({ ...asset, version: 1 })),
    inventory: draft.inventory.map((holding) => ({ ...holding, version: 1 })),
    accounts: draft.accounts.map((account) => ({ ...account, version: 1 })),
  };
}

export function loadFixture(fileName: string): OptimizerFixture {
  const fixture = JSON.parse(readFileSync(join(FIXTURE_DIRECTORY, fileName), 'utf8')) as Omit<
    OptimizerFixture,
    'name'
  >;
  return { ...fixture, name: fileName };
}

export function fixtureFileNames(): string[] {
  return readdirSync(FIXTURE_DIRECTORY)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function fixtureBook(fixture: OptimizerFixture): Book {
  return draftToBook(parseBookFile(fixture.book));
}

export function fixtureRequest(fixture: OptimizerFixture): OptimizeRequest {
  const raw = fixture.request;
  return {
    mode: raw.mode as OptimizeRequest['mode'],
    horizonDays: (raw.horizonDays as number | undefined) ?? 1,
    solver: (raw.solver as OptimizeRequest['solver'] | undefined) ?? 'AUTO',
    lotMode: (raw.lotMode as boolean | undefined) ?? false,
    timeLimitMs: (raw.timeLimitMs as number | undefined) ?? 10_000,
    asOfDate: raw.asOfDate as string,
    ...(raw.accountIds !== undefined ? { accountIds: raw.accountIds as string[] } : {}),
    ...(raw.maxMovements !== undefined ? { maxMovements: raw.maxMovements as number } : {}),
    ...(raw.movementCostBps !== undefined ? { movementCostBps: dec(raw.movementCostBps as string) } : {}),
    ...(raw.movementFixedCost !== undefined
      ? { movementFixedCost: dec(raw.movementFixedCost as string) }
      : {}),
  };
}
