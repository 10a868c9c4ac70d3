/**
 * Margin monitoring after bulk price updates: on a seeded synthetic book (bench/synthetic-book.ts)
 * with collateral posted at every account, one updateMarketData call moves every asset's price
 * by a small random amount, and the service re-evaluates every account (validation, store writes,
 * snapshot, margin status per account, status changes detected), then until every alert is
 * published with its top-up plan (one TOP_UP solve per update covering every alerted account,
 * src/services/risk/top-up-plans.ts; in process here), and
 * the re-evaluation alone (marginOverview on a snapshot). Medians over several runs after a warm-up.
 *
 * Run: `npx tsc -p tsconfig.bench.json && node dist-bench/bench/monitoring-bench.js`.
 */
import 'reflect-metadata';

import { dec } from '../src/domain/decimal';
import type { Account, Book } from '../src/domain/model';
import { solveInProcess } from '../src/optimizer/solvers/solver-pool';
import { marginOverview } from '../src/services/risk/margin-overview';
import { createServices } from '../src/services/services';
import { MemoryStore } from '../src/store/memory/memory.store';
import type { BookDraft } from '../src/store/store.port';
import { seededRandom } from '../src/support/seeded-random';
import { syntheticBook } from './synthetic-book';

const SEED = 20_261_125;
const RUNS = 5;
const SIZES = [
  { assets: 1_000, accounts: 100 },
  { assets: 5_000, accounts: 500 },
];
const POSTINGS_PER_ACCOUNT = 8;

/** Posts about 60-140% of each account's exposure, spread over a few assets. */
function withPostings(book: Book, seed: number): BookDraft {
  const random = seededRandom(seed);
  const accounts = book.accounts.map((account): Account => {
    const chosen = new Set<number>();
    while (chosen.size < POSTINGS_PER_ACCOUNT) chosen.add(Math.floor(random() * book.assets.length));
    const coverage = 0.6 + 0.8 * random();
    const posted = [...chosen].map((index) => {
      const asset = book.assets[index]!;
      const value = account.terms.exposure.toNumber() * (coverage / POSTINGS_PER_ACCOUNT);
      return { assetId: asset.id, quantity: dec(Math.max(1, Math.round(value / asset.price.toNumber()))) };
    });
    return { ...account, posted };
  });
  return {
    market: book.market,
    assets: book.assets,
    inventory: book.inventory,
    accounts: accounts.map(({ version: _version, ...rest }) => rest),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function benchmark(size: { assets: number; accounts: number }): Promise<void> {
  const store = new MemoryStore();
  await store.replaceBook(withPostings(syntheticBook(size, SEED), SEED + 1));
  const services = createServices({
    store,
    solve: solveInProcess,
    optimizerLimits: { defaultTimeLimitMs: 60_000, maxTimeLimitMs: 60_000 },
  });
  await services.marginMonitor.idle();
  const random = seededRandom(SEED + 2);

  const updateTimes: number[] = [];
  const evaluateTimes: number[] = [];
  const alertCounts: number[] = [];
  const publishTimes: number[] = [];
  for (let run = 0; run <= RUNS; run += 1) {
    const assets = await store.listAssets();
    // +-1% moves: a few accounts near the edge change status, as on a normal day.
    const prices = assets.map((asset) => ({
      assetId: asset.id,
      price: asset.price
        .times(1 + (random() - 0.5) * 0.02)
        .toDecimalPlaces(8)
        .toFixed(),
    }));
    const started = process.hrtime.bigint();
    const result = await services.risk.updateMarketData(prices, []);
    const updateMs = Number(process.hrtime.bigint() - started) / 1e6;

    await services.marginMonitor.idle();
    const publishedMs = Number(process.hrtime.bigint() - started) / 1e6;

    const book = await store.snapshot();
    const evaluateStarted = process.hrtime.bigint();
    marginOverview(book);
    const evaluateMs = Number(process.hrtime.bigint() - evaluateStarted) / 1e6;
    if (run === 0) continue; // warm-up
    updateTimes.push(updateMs);
    publishTimes.push(publishedMs);
    evaluateTimes.push(evaluateMs);
    alertCounts.push(result.alerts.length);
  }
  console.log(
    `| ${size.assets} | ${size.accounts} | ${size.accounts * POSTINGS_PER_ACCOUNT} | ${median(updateTimes).toFixed(0)} | ${median(evaluateTimes).toFixed(0)} | ${median(alertCounts)} | ${median(publishTimes).toFixed(0)} |`,
  );
  await store.close();
}

async function main(): Promise<void> {
  console.log(`Margin monitoring after a bulk price update (median of ${RUNS} runs, seed ${SEED})\n`);
  console.log(
    '| assets (prices updated) | accounts | postings | updateMarketData end to end (ms) | re-evaluate every account (ms) | alerts per update | until every alert is published with its top-up plan (ms) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of SIZES) await benchmark(size);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
