/**
 * Generates data/demo-price-history.json: a synthetic, reproducible daily price history for every
 * asset in data/demo-book.json, for calibrating and demonstrating haircuts (src/risk/estimators).
 * The numbers are made up; only their shape is meant to be realistic.
 *
 * Run from the repository root (suggested npm script "data:prices"):
 *   npx tsc scripts/generate-price-history.ts --outDir /tmp/price-gen --module commonjs \
 *     --target ES2022 --types node --skipLibCheck && node /tmp/price-gen/generate-price-history.js
 * Options: --book <path> (default data/demo-book.json), --out <path> (default
 * data/demo-price-history.json), --end <YYYY-MM-DD> (last date, default 2026-11-20), --days <n>
 * (prices per asset, default 540), --seed <n> (default 20261120). Same inputs, same file.
 *
 * Model, per asset, on business days (Monday to Friday, no holiday calendar), oldest first:
 * - Prices end exactly at the asset's current price in the book; earlier prices are walked back
 *   from it with daily log returns r_t, P_{t-1} = P_t exp(-r_t).
 * - r_t = sigma_daily (sqrt(rho) F_t + sqrt(1 - rho) e_t), sigma_daily = annual vol / sqrt(252),
 *   with F a factor shared by the asset's group (crypto; equities; government, agency, covered and
 *   corporate bonds of one currency) and e the asset's own shock. F and e are Student-t with 4
 *   degrees of freedom scaled to unit variance: fat tails, same variance as a normal.
 * - Annual vols: cash 0 (price constant); government bonds 3% rising to 8% with residual maturity
 *   (3% + 5% sqrt(min(years, 30) / 30)); agencies and covered bonds 0.5% above that; corporates
 *   6% + 4% sqrt(min(years, 30) / 30); equities 20-45% by name; gold 15%; BTC 55%, ETH 70%,
 *   SOL 90%; WBTC tracks BTC with 1% tracking noise.
 * - A crypto crash: six consecutive days, about 200 business days before the end, taking BTC and
 *   WBTC down 40%, ETH 50% and SOL 60% in total, on top of the random walk.
 * - Stablecoins and the money-market fund mean-revert around their peg (AR(1) of the log price,
 *   phi 0.9, 0.5% annual vol of daily changes). USDC has one depeg to about 0.97 (five days,
 *   about 330 days before the end) and USDT a small one to about 0.99 (about 120 days before).
 * Prices are written as decimal strings with 8 significant digits (the last one exactly as in the
 * book), one asset per line.
 */
import { readFileSync, writeFileSync } from 'fs';

import { seededRandom as mulberry32 } from '../src/support/seeded-random';

interface BookAsset {
  readonly id: string;
  readonly assetClass: string;
  readonly currency: string;
  readonly maturityDate?: string;
  readonly price: string | number;
}

interface Options {
  readonly book: string;
  readonly out: string;
  readonly endDate: string;
  readonly days: number;
  readonly seed: number;
}

const TRADING_DAYS_PER_YEAR = 252;
const CRASH_DAYS_BEFORE_END = 200;
/** Share of the crash's total log loss taken on each of its days. */
const CRASH_PROFILE = [0.1, 0.25, 0.3, 0.15, 0.12, 0.08];
const CRASH_DEPTH: Readonly<Record<string, number>> = { BTC: 0.4, WBTC: 0.4, ETH: 0.5, SOL: 0.6 };
const DEFAULT_CRASH_DEPTH = 0.55;

const EQUITY_VOL: Readonly<Record<string, number>> = {
  AAPL: 0.28,
  MSFT: 0.25,
  NVDA: 0.45,
  AMZN: 0.32,
  SAP: 0.27,
  ASML: 0.38,
  NESN: 0.2,
  HSBA: 0.24,
};
const CRYPTO_VOL: Readonly<Record<string, number>> = { BTC: 0.55, ETH: 0.7, SOL: 0.9 };
const PEGGED_VOL = 0.005;
const PEG_REVERSION = 0.9;
/** Log-price offsets of a depeg, day by day, and how many days before the end it starts. */
const DEPEGS: Readonly<Record<string, { readonly daysBeforeEnd: number; readonly path: readonly number[] }>> =
  {
    USDC: { daysBeforeEnd: 330, path: [-0.012, -0.03, -0.02, -0.008, -0.003] },
    USDT: { daysBeforeEnd: 120, path: [-0.004, -0.009, -0.005, -0.002] },
  };

class Random {
  private spareNormal: number | undefined;
  constructor(private readonly uniform: () => number) {}

  /** Box-Muller: two independent standard normals from two uniforms; the second is kept for the next call. */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u1 = 1 - this.uniform(); // in (0, 1], so the log is finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }

  /** Student-t with 4 degrees of freedom divided by sqrt(2), its standard deviation: unit variance, fat tails. */
  studentT4(): number {
    let chiSquare = 0;
    for (let index = 0; index < 4; index += 1) chiSquare += this.normal() ** 2;
    return this.normal() / Math.sqrt(chiSquare / 4) / Math.SQRT2;
  }
}

function parseArgs(argv: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return {
    book: value('--book') ?? 'data/demo-book.json',
    out: value('--out') ?? 'data/demo-price-history.json',
    endDate: value('--end') ?? '2026-11-20',
    days: Number(value('--days') ?? 540),
    seed: Number(value('--seed') ?? 20261120),
  };
}

/** `count` business days (Monday to Friday) ending on or before `endDate`, oldest first. */
function businessDays(endDate: string, count: number): string[] {
  const dates: string[] = [];
  const day = new Date(`${endDate}T00:00:00Z`);
  while (dates.length < count) {
    const weekday = day.getUTCDay();
    if (weekday !== 0 && weekday !== 6) dates.push(day.toISOString().slice(0, 10));
    day.setUTCDate(day.getUTCDate() - 1);
  }
  return dates.reverse();
}

function residualYears(maturityDate: string | undefined, endDate: string): number {
  if (maturityDate === undefined) return 5;
  const days = (Date.parse(maturityDate) - Date.parse(endDate)) / 86_400_000;
  return Math.max(0, days / 365.25);
}

function maturityVol(base: number, span: number, years: number): number {
  return base + span * Math.sqrt(Math.min(years, 30) / 30);
}

type Behaviour =
  | { readonly kind: 'CONSTANT' }
  | { readonly kind: 'PEGGED'; readonly annualVol: number }
  | {
      readonly kind: 'RANDOM_WALK';
      readonly annualVol: number;
      readonly group: string;
      readonly factorWeight: number;
    };

function behaviourOf(asset: BookAsset, endDate: string): Behaviour {
  const years = residualYears(asset.maturityDate, endDate);
  const rates = (annualVol: number): Behaviour => ({
    kind: 'RANDOM_WALK',
    annualVol,
    group: `RATES-${asset.currency}`,
    factorWeight: 0.8,
  });
  switch (asset.assetClass) {
    case 'CASH':
      return { kind: 'CONSTANT' };
    case 'STABLECOIN':
    case 'FUND':
      return { kind: 'PEGGED', annualVol: PEGGED_VOL };
    case 'GOVERNMENT_BOND':
      return rates(maturityVol(0.03, 0.05, years));
    case 'AGENCY':
    case 'COVERED_BOND':
      return rates(maturityVol(0.035, 0.05, years));
    case 'CORPORATE_BOND':
      return rates(maturityVol(0.06, 0.04, years));
    case 'EQUITY':
      return {
        kind: 'RANDOM_WALK',
        annualVol: EQUITY_VOL[asset.id] ?? 0.3,
        group: 'EQUITY',
        factorWeight: 0.45,
      };
    case 'GOLD':
      return { kind: 'RANDOM_WALK', annualVol: 0.15, group: 'GOLD', factorWeight: 0 };
    case 'CRYPTO':
      return {
        kind: 'RANDOM_WALK',
        annualVol: CRYPTO_VOL[asset.id] ?? 0.8,
        group: 'CRYPTO',
        factorWeight: 0.65,
      };
    default:
      return { kind: 'RANDOM_WALK', annualVol: 0.2, group: asset.assetClass, factorWeight: 0 };
  }
}

/** 8 significant digits as plain decimal text, trailing zeros dropped. */
function priceText(price: number): string {
  const text = price.toPrecision(8);
  const plain = text.includes('e') ? price.toFixed(12) : text;
  return plain.includes('.') ? plain.replace(/0+$/, '').replace(/\.$/, '') : plain;
}

function generate(
  assets: readonly BookAsset[],
  options: Options,
): Record<string, { date: string; price: string }[]> {
  const random = new Random(mulberry32(options.seed));
  const dates = businessDays(options.endDate, options.days);
  const steps = options.days - 1;

  // Factor shocks per group and day, drawn up front in a fixed order so output does not depend on asset order.
  const groupNames = assets.flatMap((asset) => {
    const behaviour = behaviourOf(asset, options.endDate);
    return behaviour.kind === 'RANDOM_WALK' ? [behaviour.group] : [];
  });
  const groups = [...new Set(groupNames)].sort();
  const factors = new Map(
    groups.map((group) => [group, Array.from({ length: steps }, () => random.studentT4())]),
  );

  const dailyReturns = new Map<string, number[]>();
  const crashStart = steps - CRASH_DAYS_BEFORE_END;
  const output: Record<string, { date: string; price: string }[]> = {};

  for (const asset of assets) {
    const currentPrice = Number(asset.price);
    const behaviour = behaviourOf(asset, options.endDate);
    let prices: number[];
    if (behaviour.kind === 'CONSTANT') {
      prices = dates.map(() => currentPrice);
    } else if (behaviour.kind === 'PEGGED') {
      prices = peggedPath(random, asset.id, options.days, behaviour.annualVol, currentPrice);
    } else {
      const sigma = behaviour.annualVol / Math.sqrt(TRADING_DAYS_PER_YEAR);
      const factor = factors.get(behaviour.group)!;
      const tracked = asset.id === 'WBTC' ? dailyReturns.get('BTC') : undefined;
      const trackingSigma = 0.01 / Math.sqrt(TRADING_DAYS_PER_YEAR);
      const returns = Array.from({ length: steps }, (_, step) =>
        tracked !== undefined
          ? tracked[step]! + trackingSigma * random.normal()
          : sigma *
            (Math.sqrt(behaviour.factorWeight) * factor[step]! +
              Math.sqrt(1 - behaviour.factorWeight) * random.studentT4()),
      );
      if (asset.assetClass === 'CRYPTO' && tracked === undefined) {
        const totalLogLoss = Math.log(1 - (CRASH_DEPTH[asset.id] ?? DEFAULT_CRASH_DEPTH));
        CRASH_PROFILE.forEach((share, offset) => {
          returns[crashStart + offset]! += share * totalLogLoss;
        });
      }
      dailyReturns.set(asset.id, returns);
      prices = new Array<number>(options.days);
      prices[options.days - 1] = currentPrice;
      for (let index = options.days - 1; index > 0; index -= 1) {
        prices[index - 1] = prices[index]! * Math.exp(-returns[index - 1]!);
      }
    }
    output[asset.id] = dates.map((date, index) => ({
      date,
      price: index === options.days - 1 ? String(asset.price) : priceText(prices[index]!),
    }));
  }
  return output;
}

/** AR(1) around the peg in log price, plus any depeg, rescaled so the last price is the current one. */
function peggedPath(
  random: Random,
  assetId: string,
  days: number,
  annualVol: number,
  currentPrice: number,
): number[] {
  const changeSigma = annualVol / Math.sqrt(TRADING_DAYS_PER_YEAR);
  // Var(x_t - x_{t-1}) = 2 sigma^2 / (1 + phi) for a stationary AR(1), so this innovation gives changeSigma.
  const innovationSigma = changeSigma * Math.sqrt((1 + PEG_REVERSION) / 2);
  const logDeviation: number[] = [0];
  for (let index = 1; index < days; index += 1) {
    logDeviation.push(PEG_REVERSION * logDeviation[index - 1]! + innovationSigma * random.studentT4());
  }
  const depeg = DEPEGS[assetId];
  if (depeg !== undefined) {
    depeg.path.forEach((offset, day) => {
      logDeviation[days - 1 - depeg.daysBeforeEnd + day]! += offset;
    });
  }
  const scale = currentPrice / Math.exp(logDeviation[days - 1]!);
  return logDeviation.map((deviation) => scale * Math.exp(deviation));
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const book = JSON.parse(readFileSync(options.book, 'utf8')) as { assets: BookAsset[] };
  const history = generate(book.assets, options);
  const lines = Object.entries(history).map(
    ([assetId, points]) => `  ${JSON.stringify(assetId)}: ${JSON.stringify(points)}`,
  );
  writeFileSync(options.out, `{\n${lines.join(',\n')}\n}\n`);
  console.log(`Wrote ${Object.keys(history).length} assets x ${options.days} prices to ${options.out}`);
}

main();
