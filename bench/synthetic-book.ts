/**
 * Seeded synthetic books of a given size (assets x accounts) for the optimizer benchmark,
 * shaped like a mid-size desk: cash in four currencies, sovereign, agency and corporate bonds
 * over the maturity curve, equities and a little crypto; accounts that each accept a few asset
 * classes on a BCBS-IOSCO-like schedule with an FX add-on, an issuer limit (25% of collateral)
 * and an equity cap (40% of the requirement); requirements adding up to about 45% of the inventory's value, so the book
 * is feasible but accounts compete for the cheap assets. Same seed, same book.
 */
import { dec } from '../src/domain/decimal';
import type {
  Account,
  Asset,
  AssetClass,
  Book,
  ConcentrationLimit,
  EligibilityRule,
  Holding,
} from '../src/domain/model';
import { seededRandom } from '../src/support/seeded-random';

export const BENCH_AS_OF_DATE = '2026-11-25';
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY'] as const;
const FX_TO_USD: Record<(typeof CURRENCIES)[number], string> = {
  USD: '1',
  EUR: '1.08',
  GBP: '1.27',
  JPY: '0.0067',
};
const BOND_CLASSES: readonly AssetClass[] = ['GOVERNMENT_BOND', 'AGENCY', 'CORPORATE_BOND', 'COVERED_BOND'];
const ACCEPTABLE: readonly AssetClass[] = [
  'GOVERNMENT_BOND',
  'AGENCY',
  'CORPORATE_BOND',
  'COVERED_BOND',
  'EQUITY',
  'CRYPTO',
];
const FUNDING_BPS: Record<AssetClass, [number, number]> = {
  CASH: [15, 35],
  GOVERNMENT_BOND: [3, 15],
  AGENCY: [5, 20],
  CORPORATE_BOND: [20, 60],
  COVERED_BOND: [10, 30],
  EQUITY: [40, 120],
  GOLD: [20, 40],
  CRYPTO: [150, 400],
  STABLECOIN: [50, 200],
  FUND: [10, 20],
};

/**
 * Where issuer limits sit. EVERY_ACCOUNT: an issuer limit per issuer at every account, the
 * hardest shape (an LP with a row per account and issuer). CCP_ONLY: at the CCP accounts only,
 * as in practice (CCPs cap issuer concentration; bilateral CSAs, exchanges and prime brokers
 * mostly rely on eligibility and haircuts), the others keep the equity cap.
 */
export type IssuerLimitPlacement = 'EVERY_ACCOUNT' | 'CCP_ONLY';

export interface SyntheticBookSize {
  readonly assets: number;
  readonly accounts: number;
  /** Default EVERY_ACCOUNT. */
  readonly issuerLimits?: IssuerLimitPlacement;
  /** Requirements as a share of the inventory's value; default 0.45. Above about 0.6 no plan covers every call. */
  readonly requirementShare?: number;
}

export function syntheticBook(
  {
    assets: assetCount,
    accounts: accountCount,
    issuerLimits = 'EVERY_ACCOUNT',
    requirementShare = 0.45,
  }: SyntheticBookSize,
  seed: number,
): Book {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + (high - low) * random();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const issuerCount = Math.max(4, Math.round(assetCount / 6));

  const assets: Asset[] = [];
  const inventory: Holding[] = [];
  for (let index = 0; index < assetCount; index += 1) {
    const currency = index < CURRENCIES.length ? CURRENCIES[index]! : pick(CURRENCIES);
    const roll = random();
    const assetClass: AssetClass =
      index < CURRENCIES.length
        ? 'CASH'
        : roll < 0.65
          ? pick(BOND_CLASSES)
          : roll < 0.95
            ? 'EQUITY'
            : 'CRYPTO';
    const bond = BOND_CLASSES.includes(assetClass);
    const id = `A${String(index).padStart(5, '0')}`;
    const price = assetClass === 'CASH' ? 1 : bond ? between(0.85, 1.1) : between(20, 900);
    assets.push({
      id,
      name: `${assetClass} ${id}`,
      assetClass,
      currency,
      issuer: assetClass === 'CASH' ? `Cash ${currency}` : `Issuer ${Math.floor(random() * issuerCount)}`,
      ...(bond ? { creditQualityStep: 1 + Math.floor(random() * 3) } : {}),
      ...(bond
        ? { maturityDate: `${2027 + Math.floor(random() * 29)}-0${1 + Math.floor(random() * 9)}-15` }
        : {}),
      price: dec(price.toFixed(assetClass === 'CASH' ? 0 : 4)),
      ...(bond ? { lotSize: dec(1000) } : assetClass === 'EQUITY' ? { lotSize: dec(1) } : {}),
      version: 1,
    });
    const valueUsd = between(5e6, 60e6);
    const unitsPerUsd = 1 / (price * Number(FX_TO_USD[currency]));
    const lot = bond ? 1000 : 1;
    const locations = random() < 0.25 ? 2 : 1;
    for (let location = 0; location < locations; location += 1) {
      const quantity = Math.max(lot, Math.floor((valueUsd * unitsPerUsd) / locations / lot) * lot);
      const [low, high] = FUNDING_BPS[assetClass];
      inventory.push({
        assetId: id,
        location: `Custodian ${location}`,
        quantity: dec(quantity),
        fundingCostBps: dec(between(low, high).toFixed(1)),
        version: 1,
      });
    }
  }

  const inventoryUsd = inventory.reduce((total, holding) => {
    const asset = assets.find((candidate) => candidate.id === holding.assetId)!;
    return (
      total +
      holding.quantity.toNumber() * asset.price.toNumber() * Number(FX_TO_USD[asset.currency as 'USD'])
    );
  }, 0);
  const weights = Array.from({ length: accountCount }, () => between(0.5, 1.5));
  const weightTotal = weights.reduce((total, weight) => total + weight, 0);

  const accounts: Account[] = weights.map((weight, index) => {
    const currency = pick(CURRENCIES);
    // Every account takes sovereigns, as CCPs and CSAs do; other classes half the time.
    const accepted = ACCEPTABLE.filter((assetClass) => assetClass === 'GOVERNMENT_BOND' || random() < 0.5);
    const eligibility: EligibilityRule[] = [
      { match: { assetClass: 'CASH' }, eligible: true, haircut: dec(0), fxHaircut: dec('0.08') },
    ];
    for (const assetClass of accepted) {
      if (BOND_CLASSES.includes(assetClass)) {
        const base = assetClass === 'GOVERNMENT_BOND' ? [0.005, 0.02, 0.04] : [0.01, 0.04, 0.08];
        const buckets = [{ maxYears: 1 }, { minYears: 1, maxYears: 5 }, { minYears: 5 }];
        buckets.forEach((maturity, bucket) =>
          eligibility.push({
            match: { assetClass, maturity },
            eligible: true,
            haircut: dec(base[bucket]!),
            fxHaircut: dec('0.08'),
          }),
        );
      } else {
        const haircut = assetClass === 'EQUITY' ? '0.15' : '0.3';
        eligibility.push({
          match: { assetClass },
          eligible: true,
          haircut: dec(haircut),
          fxHaircut: dec('0.08'),
        });
      }
    }
    const issuerLimitsOfAccount: ConcentrationLimit[] = Array.from(
      { length: issuerCount },
      (_unused, issuer) => ({
        scope: 'ISSUER',
        value: `Issuer ${issuer}`,
        maxFraction: dec('0.25'),
        basis: 'TOTAL_COLLATERAL',
      }),
    );
    const kind = pick(['CCP_INITIAL_MARGIN', 'BILATERAL_IM', 'EXCHANGE', 'PRIME_BROKER'] as const);
    const concentrationLimits: ConcentrationLimit[] = [
      ...(issuerLimits === 'EVERY_ACCOUNT' || kind === 'CCP_INITIAL_MARGIN' ? issuerLimitsOfAccount : []),
      { scope: 'ASSET_CLASS', value: 'EQUITY', maxFraction: dec('0.4'), basis: 'REQUIREMENT' },
    ];
    const requirementUsd = (requirementShare * inventoryUsd * weight) / weightTotal;
    return {
      id: `K${String(index).padStart(4, '0')}`,
      name: `Account ${index}`,
      counterparty: `Counterparty ${index}`,
      kind,
      currency,
      terms: {
        exposure: dec(Math.round(requirementUsd / Number(FX_TO_USD[currency]))),
        independentAmount: dec(0),
        threshold: dec(0),
        minimumTransferAmount: dec(0),
        rounding: dec(0),
      },
      eligibility,
      concentrationLimits,
      posted: [],
      version: 1,
    };
  });

  return {
    market: {
      baseCurrency: 'USD',
      fxRates: new Map(CURRENCIES.map((currency) => [currency, dec(FX_TO_USD[currency])])),
      asOfDate: BENCH_AS_OF_DATE,
      version: 1,
    },
    assets,
    inventory,
    accounts,
  };
}
