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

async function setUp() {
  const book = readBookJson() as { accounts: { requirement: Record<string, string> }[] };
  book.accounts[0]!.requirement = { exposure: '9000000' };
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
  const setUstPrice = async (price: string) => {
    await services.referenceData.setPrices([{ assetId: 'UST-5Y', price }]);
    await services.marginMonitor.idle();
    await new Promise((resolve) => setImmediate(resolve));
  };
  const close = async () => {
    await iterator.return?.();
    await pump;
    await store.close();
  };
  return { received, setUstPrice, close };
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
