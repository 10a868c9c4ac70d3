/**
 * Seeded random books of known shape for property tests: a few assets in USD and EUR, holdings,
 * accounts with eligibility schedules, optional concentration limits and postings. Books built
 * by `coverableBookArbitrary` reserve, for each account, part of some holdings it accepts worth at
 * least its requirement, so a full allocation is known to exist.
 */
import fc from 'fast-check';

import type { Decimal } from '../../../src/domain/decimal';
import { dec } from '../../../src/domain/decimal';
import type {
  Account,
  Asset,
  AssetClass,
  Book,
  ConcentrationLimit,
  Holding,
  Posting,
} from '../../../src/domain/model';
import type { PartialSolveSettings } from '../../../src/optimizer/formulation/partial-hints';
import type { OptimizeRequest } from '../../../src/optimizer/optimizer.types';

/** Fixed seed: a failure reproduces run after run. */
export const PROPERTY_SEED = 20_260_102;
export const AS_OF_DATE = '2026-01-02';

/** A TOP_UP on HiGHS, continuous, as of AS_OF_DATE: what the property tests vary from. */
export const BASE_REQUEST: OptimizeRequest = {
  mode: 'TOP_UP',
  horizonDays: 30,
  solver: 'HIGHS',
  lotMode: false,
  timeLimitMs: 5_000,
  asOfDate: AS_OF_DATE,
};

/**
 * Every LP of these small books through the partial solve (the service does so from 5,000 columns),
 * from each account's one cheapest column, one more column per account per round: pricing and lazy
 * rows have the most work.
 */
export const PARTIAL_ALWAYS: PartialSolveSettings = {
  minColumns: 0,
  greedyPasses: 0,
  initialColumnsPerAccount: 1,
  columnsPerAccountPerRound: 1,
};

const CLASSES: readonly AssetClass[] = ['GOVERNMENT_BOND', 'CORPORATE_BOND', 'EQUITY'];
const HAIRCUTS = ['0', '0.02', '0.05', '0.1', '0.15', '0.25'] as const;
const CURRENCIES = ['USD', 'EUR'] as const;

interface AssetSpec {
  assetClass: number;
  currency: number;
  price: number;
  lotSize: number | undefined;
}

const assetSpec = fc.record({
  assetClass: fc.integer({ min: 0, max: CLASSES.length - 1 }),
  currency: fc.integer({ min: 0, max: 1 }),
  price: fc.integer({ min: 1, max: 200 }),
  lotSize: fc.option(fc.constantFrom(10, 100, 1000), { nil: undefined }),
});

function makeAssets(specs: readonly AssetSpec[]): Asset[] {
  return specs.map((spec, index) => ({
    id: `A${index}`,
    name: `Asset ${index}`,
    assetClass: CLASSES[spec.assetClass],
    currency: CURRENCIES[spec.currency],
    issuer: `Issuer ${index % 2}`,
    price: dec(spec.price),
    ...(spec.lotSize !== undefined ? { lotSize: dec(spec.lotSize) } : {}),
    version: 1,
  }));
}

const ruleSpec = fc.record({
  haircut: fc.constantFrom(...HAIRCUTS),
  fxHaircut: fc.constantFrom('0', '0.08'),
});

function account(
  index: number,
  currency: string,
  requirement: Decimal,
  rules: readonly { haircut: string; fxHaircut: string }[],
  limits: readonly ConcentrationLimit[],
  posted: readonly Posting[],
  minimumTransferAmount = dec(0),
): Account {
  return {
    id: `K${index}`,
    name: `Account ${index}`,
    counterparty: `Counterparty ${index}`,
    kind: 'BILATERAL_IM',
    currency,
    terms: {
      exposure: requirement,
      independentAmount: dec(0),
      threshold: dec(0),
      minimumTransferAmount,
      rounding: dec(0),
    },
    eligibility: CLASSES.map((assetClass, classIndex) => ({
      match: { assetClass },
      eligible: true,
      haircut: dec(rules[classIndex].haircut),
      fxHaircut: dec(rules[classIndex].fxHaircut),
    })),
    concentrationLimits: limits,
    posted,
    version: 1,
  };
}

function market(): Book['market'] {
  return {
    baseCurrency: 'USD',
    fxRates: new Map([
      ['USD', dec(1)],
      ['EUR', dec('1.1')],
    ]),
    asOfDate: AS_OF_DATE,
    version: 1,
  };
}

/** Any small book: may be infeasible, may have postings and tight limits. */
export const anyBookArbitrary: fc.Arbitrary<Book> = fc
  .record({
    assets: fc.array(assetSpec, { minLength: 1, maxLength: 4 }),
    holdings: fc.array(
      fc.record({
        asset: fc.nat(),
        quantity: fc.integer({ min: 1, max: 50_000 }),
        bps: fc.integer({ min: 0, max: 80 }),
        location: fc.constantFrom('DTC', 'Euroclear'),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    accounts: fc.array(
      fc.record({
        currency: fc.integer({ min: 0, max: 1 }),
        requirement: fc.integer({ min: 0, max: 3_000_000 }),
        mta: fc.constantFrom(0, 0, 50_000),
        rules: fc.array(ruleSpec, { minLength: 3, maxLength: 3 }),
        limit: fc.option(
          fc.record({
            assetClass: fc.integer({ min: 0, max: 2 }),
            fraction: fc.constantFrom('0.3', '0.5', '0.8'),
          }),
          { nil: undefined },
        ),
        posted: fc.option(fc.record({ asset: fc.nat(), quantity: fc.integer({ min: 1, max: 10_000 }) }), {
          nil: undefined,
        }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ assets: specs, holdings, accounts }) => {
    const assets = makeAssets(specs);
    const inventory = new Map<string, Holding>();
    for (const holding of holdings) {
      const asset = assets[holding.asset % assets.length];
      const key = `${asset.id}@${holding.location}`;
      if (inventory.has(key)) continue;
      inventory.set(key, {
        assetId: asset.id,
        location: holding.location,
        quantity: dec(holding.quantity),
        fundingCostBps: dec(holding.bps),
        version: 1,
      });
    }
    return {
      market: market(),
      assets,
      inventory: [...inventory.values()],
      accounts: accounts.map((spec, index) =>
        account(
          index,
          CURRENCIES[spec.currency],
          dec(spec.requirement),
          spec.rules,
          spec.limit === undefined
            ? []
            : [
                {
                  scope: 'ASSET_CLASS',
                  value: CLASSES[spec.limit.assetClass],
                  maxFraction: dec(spec.limit.fraction),
                  basis: 'TOTAL_COLLATERAL',
                },
              ],
          spec.posted === undefined
            ? []
            : [
                {
                  assetId: assets[spec.posted.asset % assets.length].id,
                  quantity: dec(spec.posted.quantity),
                },
              ],
          dec(spec.mta),
        ),
      ),
    };
  });

/**
 * Books with a known full allocation and no integer parts: each holding is split among the accounts
 * by random shares, and each account's requirement is at most `coverShare` of the collateral value
 * of its shares. No limits, postings, MTA or lots.
 */
export function coverableBookArbitrary(coverShare: number): fc.Arbitrary<Book> {
  return fc
    .record({
      assets: fc.array(assetSpec, { minLength: 1, maxLength: 4 }),
      holdings: fc.array(
        fc.record({
          quantity: fc.integer({ min: 1_000, max: 50_000 }),
          bps: fc.integer({ min: 1, max: 80 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      accounts: fc.array(
        fc.record({
          currency: fc.integer({ min: 0, max: 1 }),
          rules: fc.array(ruleSpec, { minLength: 3, maxLength: 3 }),
          weights: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 4, maxLength: 4 }),
          share: fc.double({ min: 0.05, max: coverShare, noNaN: true }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map(({ assets: specs, holdings, accounts }) => {
      const assets = makeAssets(specs.map((spec) => ({ ...spec, lotSize: undefined })));
      const inventory: Holding[] = holdings.map((holding, index) => ({
        assetId: assets[index % assets.length].id,
        location: `L${index}`,
        quantity: dec(holding.quantity),
        fundingCostBps: dec(holding.bps),
        version: 1,
      }));
      const fx = market().fxRates;
      const built = accounts.map((spec, accountIndex) => {
        const currency = CURRENCIES[spec.currency];
        let reservedValue = 0;
        inventory.forEach((holding, holdingIndex) => {
          const totalWeight = accounts.reduce((total, other) => total + other.weights[holdingIndex], 0);
          if (totalWeight === 0) return;
          const quantity = (holding.quantity.toNumber() * spec.weights[holdingIndex]) / totalWeight;
          const asset = assets.find((candidate) => candidate.id === holding.assetId) as Asset;
          const rule = spec.rules[CLASSES.indexOf(asset.assetClass)];
          const fxHaircut = asset.currency === currency ? 0 : Number(rule.fxHaircut);
          const rate =
            (fx.get(asset.currency) as Decimal).toNumber() / (fx.get(currency) as Decimal).toNumber();
          reservedValue += quantity * asset.price.toNumber() * rate * (1 - Number(rule.haircut) - fxHaircut);
        });
        const requirement = dec(Math.floor(reservedValue * spec.share));
        return account(accountIndex, currency, requirement, spec.rules, [], []);
      });
      return { market: market(), assets, inventory, accounts: built };
    });
}
