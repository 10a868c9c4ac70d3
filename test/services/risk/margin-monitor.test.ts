/**
 * MarginMonitor: when alerts fire. Small fixture with LCH-IM's exposure at 9,000,000 so it starts
 * covered (10,000,000 UST-5Y x 0.98765625 x 0.98 = 9,679,031.25). At UST-5Y price p it holds
 * 10,000,000 x p x 0.98, so: p = 0.9 -> 8,820,000 (deficit 180,000, CALL); p = 0.89 -> 8,722,000
 * (deficit 278,000: +98,000, under the 100,000 step); p = 0.88 -> 8,624,000 (deficit 376,000:
 * +196,000 since the last alert); p = 1 -> 9,800,000 (covered again, OK).
 */
import { DEVELOPMENT_PRINCIPAL } from '../../../src/auth/development-key';
import { parseBookFile } from '../../../src/domain/book/parse-book';
import { solveInProcess } from '../../../src/optimizer/solvers/solver-pool';
import type { MarginAlert } from '../../../src/services/risk/margin-monitor';
import { createServices } from '../../../src/services/services';
import { MemoryStore } from '../../../src/store/memory/memory.store';
import { readBookJson, TEST_OPTIMIZER_LIMITS } from '../../support/graphql-harness';

function smallBookWithLchAt9m(): unknown {
  const book = readBookJson() as { accounts: { requirement: Record<string, string> }[] };
  book.accounts[0]!.requirement = { exposure: '9000000' };
  return book;
}

async function setUp(book: unknown = smallBookWithLchAt9m()) {
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(book));
  const services = createServices({ store, solve: solveInProcess, optimizerLimits: TEST_OPTIMIZER_LIMITS });
  // The baseline is taken in the background; a write before it is done would be part of it.
  await services.marginMonitor.idle();
  const received: MarginAlert[] = [];
  const iterator = services.marginMonitor.alerts(DEVELOPMENT_PRINCIPAL)[Symbol.asyncIterator]();
  const pump = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      received.push(next.value);
    }
  })();
  const setPrice = async (assetId: string, price: string) => {
    await services.referenceData.setPrices([{ assetId, price }]);
    await services.marginMonitor.idle();
    await new Promise((resolve) => setImmediate(resolve));
  };
  const setUstPrice = (price: string) => setPrice('UST-5Y', price);
  const close = async () => {
    await iterator.return?.();
    await pump;
    await store.close();
  };
  return { received, setPrice, setUstPrice, close };
}

describe('MarginMonitor', () => {
  it('alerts on a status change, on deficit growth past the step since the last alert, and on recovery', async () => {
    const { received, setUstPrice, close } = await setUp();
    const summary = () =>
      received.map((alert) => [
        alert.reason,
        alert.previousStatus,
        alert.status,
        alert.deficitBase.toFixed(),
      ]);

    await setUstPrice('0.9');
    expect(summary()).toEqual([['STATUS_CHANGE', 'OK', 'CALL', '180000']]);
    expect(received[0]!.topUpPlan?.status).toBe('OPTIMAL');

    await setUstPrice('0.89');
    expect(received).toHaveLength(1);

    await setUstPrice('0.88');
    expect(summary()[1]).toEqual(['DEFICIT_GROWTH', 'CALL', 'CALL', '376000']);

    await setUstPrice('1');
    expect(summary()[2]).toEqual(['STATUS_CHANGE', 'CALL', 'OK', '0']);
    // Back to OK: nothing to top up.
    expect(received[2]!.topUpPlan).toBeUndefined();
    await close();
  });

  it('does not announce what was already known at start (DERIBIT is in CALL from the beginning)', async () => {
    const { received, setUstPrice, close } = await setUp();
    await setUstPrice('0.98765625');
    expect(received).toEqual([]);
    await close();
  });
});

/**
 * Two USD accounts, each owed 100 and covered by 100 GILT posted at price 1; everything is
 * eligible at haircut 0. Free: 60 CASH (funding 1 bps) and 1,000 BOND (50 bps). GILT at 0.5
 * leaves each 50 short. Alone, each account's cheapest top-up is 50 CASH (100 CASH in all, which
 * the desk does not have); together the cheapest plan uses all 60 CASH and 40 BOND.
 */
/** Quantity of `assetId` the alerts' top-up plans deliver, over all alerts. */
function delivered(received: readonly MarginAlert[], assetId: string): number {
  return received
    .flatMap((alert) => alert.topUpPlan!.lines)
    .filter((line) => line.assetId === assetId && line.movementType === 'DELIVER')
    .reduce((total, line) => total + line.quantity.toNumber(), 0);
}

function accountsSharingCash(count = 2): unknown {
  const account = (id: string) => ({
    id,
    name: `${id} account`,
    counterparty: id,
    kind: 'VARIATION_MARGIN',
    currency: 'USD',
    requirement: { exposure: '100' },
    eligibility: [{ match: {}, haircut: '0' }],
    posted: [{ assetId: 'GILT', quantity: '100' }],
  });
  const asset = (id: string, assetClass: string) => ({
    id,
    name: id,
    assetClass,
    currency: 'USD',
    issuer: `${id} issuer`,
    price: '1',
  });
  return {
    baseCurrency: 'USD',
    asOfDate: '2026-06-30',
    fxRates: { USD: '1' },
    assets: [asset('CASH', 'CASH'), asset('BOND', 'GOVERNMENT_BOND'), asset('GILT', 'GOVERNMENT_BOND')],
    inventory: [
      { assetId: 'CASH', location: 'bank', quantity: '60', fundingCostBps: '1' },
      { assetId: 'BOND', location: 'custodian', quantity: '1000', fundingCostBps: '50' },
    ],
    accounts:
      count === 2
        ? [account('ACC-A'), account('ACC-B')]
        : Array.from({ length: count }, (_unused, index) => account(`ACC-${String(index).padStart(2, '0')}`)),
  };
}

describe('MarginMonitor top-up plans', () => {
  it('gives accounts alerted together plans that fit the free inventory they share', async () => {
    const { received, setPrice, close } = await setUp(accountsSharingCash());
    await setPrice('GILT', '0.5');
    expect(received.map((alert) => [alert.accountId, alert.status, alert.deficitBase.toFixed()])).toEqual([
      ['ACC-A', 'CALL', '50'],
      ['ACC-B', 'CALL', '50'],
    ]);
    expect(delivered(received, 'CASH')).toBeCloseTo(60, 9);
    expect(delivered(received, 'BOND')).toBeCloseTo(40, 9);
    for (const alert of received) {
      const plan = alert.topUpPlan!;
      expect(plan.status).toBe('OPTIMAL');
      expect(plan.verification.passed).toBe(true);
      // Each alert shows its own account's part only.
      expect(new Set(plan.lines.map((line) => line.accountId))).toEqual(new Set([alert.accountId]));
      expect(plan.accounts.map((outcome) => outcome.accountId)).toEqual([alert.accountId]);
      const deliveredValue = plan.lines
        .filter((line) => line.movementType === 'DELIVER')
        .reduce((total, line) => total + line.collateralValue.toNumber(), 0);
      expect(deliveredValue).toBeCloseTo(50, 9);
      expect(
        plan.verification.checks.some((check) =>
          check.subject.includes(alert.accountId === 'ACC-A' ? 'ACC-B' : 'ACC-A'),
        ),
      ).toBe(false);
    }
    await close();
  });

  it('keeps plans within the shared inventory across groups of alerted accounts too', async () => {
    // 18 accounts (two groups of TOP_UP_GROUP_SIZE = 16 and 2), each 50 short: 60 CASH in all,
    // the other 840 from BOND.
    const { received, setPrice, close } = await setUp(accountsSharingCash(18));
    await setPrice('GILT', '0.5');
    expect(received).toHaveLength(18);
    expect(delivered(received, 'CASH')).toBeCloseTo(60, 9);
    expect(delivered(received, 'BOND')).toBeCloseTo(840, 9);
    expect(received.every((alert) => alert.topUpPlan!.status === 'OPTIMAL')).toBe(true);
    await close();
  });
});
