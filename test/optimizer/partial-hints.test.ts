import type { Book } from '../../src/domain/model';
import { accountTargets } from '../../src/optimizer/account-targets';
import { buildFormulation } from '../../src/optimizer/formulation/build-model';
import { fullCoverModel } from '../../src/optimizer/formulation/model-variants';
import type { PartialSolveSettings } from '../../src/optimizer/formulation/partial-hints';
import { PARTIAL_SOLVE_DEFAULTS, partialModelHints } from '../../src/optimizer/formulation/partial-hints';
import type { OptimizeRequest } from '../../src/optimizer/optimizer.types';
import { DEFAULT_AS_OF_DATE, makeAccount, makeAsset, makeBook, makeHolding } from '../support/factories';

/**
 * Three bonds of 100 a unit, funding 1, 5 and 20 bps: CHEAP (100 units, 10,000 of value), MID and
 * DEAR (1,000 units each). Accounts A and B each need 6,000, haircut 0; A holds at most half its
 * collateral in CHEAP's issuer. Cheapest pair first over both accounts, one pass gives A 3,000 of
 * CHEAP (its limit: half of the 6,000 it needs) and 3,000 of MID, and B 6,000 of CHEAP, with 1,000
 * of CHEAP left: a start that covers both accounts within every limit. Options vary the book.
 */
function book({
  posted = [],
  cheapUnits = 100,
  haircutAtA = 0,
}: {
  posted?: { assetId: string; quantity: number }[];
  cheapUnits?: number;
  haircutAtA?: number;
} = {}): Book {
  const bond = (id: string) => makeAsset({ id, issuer: `Issuer ${id}`, price: 100 });
  const account = (id: string, haircut: number, overrides = {}) =>
    makeAccount({ id, terms: { exposure: 6_000 }, eligibility: [{ match: {}, haircut }], ...overrides });
  return makeBook({
    assets: [bond('CHEAP'), bond('MID'), bond('DEAR')],
    inventory: [
      makeHolding({ assetId: 'CHEAP', quantity: cheapUnits, fundingCostBps: 1 }),
      makeHolding({ assetId: 'MID', quantity: 1_000, fundingCostBps: 5 }),
      makeHolding({ assetId: 'DEAR', quantity: 1_000, fundingCostBps: 20 }),
    ],
    accounts: [
      account('A', haircutAtA, {
        concentrationLimits: [{ scope: 'ISSUER', value: 'Issuer CHEAP', maxFraction: '0.5' }],
      }),
      account('B', 0, { posted }),
    ],
  });
}

const request = (mode: OptimizeRequest['mode'] = 'TOP_UP'): OptimizeRequest => ({
  mode,
  horizonDays: 30,
  solver: 'HIGHS',
  lotMode: false,
  timeLimitMs: 5_000,
  asOfDate: DEFAULT_AS_OF_DATE,
});

/** The starting allocation columns, as "asset>account". */
function startingPairs(
  subject: Book,
  settings: Partial<PartialSolveSettings>,
  mode?: OptimizeRequest['mode'],
) {
  const optimizeRequest = request(mode);
  const formulation = buildFormulation(subject, optimizeRequest, accountTargets(subject, optimizeRequest));
  const model = fullCoverModel(formulation);
  const hints = partialModelHints(formulation, model, undefined, {
    ...PARTIAL_SOLVE_DEFAULTS,
    minColumns: 0,
    ...settings,
  });
  const { allocations } = formulation;
  const pairs: string[] = [];
  for (let index = 0; index < allocations.count; index += 1) {
    if (hints!.initialColumns[allocations.column[index]] === 1) {
      const allocation = allocations.at(index);
      pairs.push(`${allocation.supply.asset.id}>${formulation.targets[allocation.targetIndex].account.id}`);
    }
  }
  return pairs.sort();
}

describe('partial solve hints: the starting columns', () => {
  it('share the inventory out cheapest pair first over all accounts, within each concentration limit', () => {
    expect(startingPairs(book(), { greedyPasses: 1, initialColumnsPerAccount: 0 })).toEqual([
      'CHEAP>A',
      'CHEAP>B',
      'MID>A',
    ]);
  });

  it('give a scarce asset to the account it is worth most to, not to the first account', () => {
    // 6,000 of CHEAP, at a 10% haircut at A: B, where it covers more, takes all of it.
    expect(startingPairs(book({ cheapUnits: 60, haircutAtA: 0.1 }), { greedyPasses: 1 })).toEqual([
      'CHEAP>B',
      'MID>A',
    ]);
  });

  it('add each account its next choices with every further pass', () => {
    // Pass two skips pass one's pairs: B takes MID, A takes DEAR. Pass three has only DEAR>B left.
    expect(startingPairs(book(), { greedyPasses: 2, initialColumnsPerAccount: 0 })).toEqual([
      'CHEAP>A',
      'CHEAP>B',
      'DEAR>A',
      'MID>A',
      'MID>B',
    ]);
    expect(startingPairs(book(), { greedyPasses: 3, initialColumnsPerAccount: 0 })).toHaveLength(6);
  });

  it('always include posted collateral staying where it is, and each account its cheapest columns', () => {
    const posted = book({ posted: [{ assetId: 'DEAR', quantity: 10 }] });
    expect(startingPairs(posted, { greedyPasses: 0, initialColumnsPerAccount: 1 }, 'REOPTIMIZE')).toEqual([
      'CHEAP>A',
      'CHEAP>B',
      'DEAR>B',
    ]);
  });
});
