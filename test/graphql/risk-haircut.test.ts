/**
 * suggestedHaircut through GraphQL on the demo book and its bundled BTC history
 * (data/demo-price-history.json, 540 daily prices, last 2026-11-20). Expected figures were
 * computed independently in Python from the file: the last 250 prices give 240 overlapping
 * 10-day log returns r_i = ln(p[i+10] / p[i]); their type 7 quantile at 1% is
 * q = -0.5894127323402424, so the VaR haircut is 1 - exp(q) = 0.44534708117041943; the 3 returns
 * at or below q average a log loss whose haircut is 0.45309233413811256 (ES).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createPrincipal } from '../../src/auth/principal';
import { createTestApi, DEMO_BOOK_FILE, errorCode, readBookJson } from '../support/graphql-harness';
import { expectClose } from '../support/tolerance';

const HISTORY_FILE = path.join(__dirname, '..', '..', 'data', 'demo-price-history.json');
const history = JSON.parse(readFileSync(HISTORY_FILE, 'utf8')) as Record<
  string,
  { date: string; price: string }[]
>;

const LOAD = `mutation Load($histories: [PriceHistoryInput!]!) { loadPriceHistory(histories: $histories) }`;
const SUGGEST = `query Suggest($method: HaircutMethod!, $floor: HaircutFloorInput = { kind: NONE }) {
  suggestedHaircut(assetId: "BTC", method: $method, confidence: 0.99, horizonDays: 10, lookbackDays: 250, floor: $floor) {
    assetId
    suggestion {
      haircut estimate method confidence horizonDays observations returnObservations
      windowStartDate windowEndDate dailyVolatility logReturnQuantile floorApplied floorHaircut
    }
    accounts { accountId eligible haircut fxHaircut totalHaircut belowSuggestion }
  }
}`;

// Estimators run in binary floating point; 1e-12 absolute is far below any haircut's precision.
const FLOAT = { absolute: 1e-12 };

async function demoApiWithBtcHistory(principal?: ReturnType<typeof createPrincipal>) {
  const api = await createTestApi(readBookJson(DEMO_BOOK_FILE), principal ? { principal } : {});
  return api;
}

describe('suggestedHaircut', () => {
  it('gives historical VaR and ES on the demo BTC history, and flags the account below it', async () => {
    const api = await demoApiWithBtcHistory();
    expect(await api.data(LOAD, { histories: [{ assetId: 'BTC', points: history.BTC }] })).toEqual({
      loadPriceHistory: 1,
    });

    const { suggestedHaircut: varReport } = await api.data(SUGGEST, { method: 'HISTORICAL_VAR' });
    expectClose(varReport.suggestion.haircut, 0.44534708117041943, FLOAT);
    expectClose(varReport.suggestion.logReturnQuantile, -0.5894127323402424, FLOAT);
    expect(varReport.suggestion).toMatchObject({
      method: 'HISTORICAL_VAR',
      horizonDays: 10,
      observations: 250,
      returnObservations: 240,
      windowStartDate: '2025-12-08',
      windowEndDate: '2026-11-20',
      floorApplied: false,
    });
    // Deribit takes BTC at 2%; no other demo account accepts it.
    const eligible = varReport.accounts.filter((row: { eligible: boolean }) => row.eligible);
    expect(eligible).toEqual([
      {
        accountId: 'deribit-portfolio-margin',
        eligible: true,
        haircut: '0.02',
        fxHaircut: '0',
        totalHaircut: '0.02',
        belowSuggestion: true,
      },
    ]);
    expect(varReport.accounts).toHaveLength(7);

    const { suggestedHaircut: esReport } = await api.data(SUGGEST, { method: 'EXPECTED_SHORTFALL' });
    expectClose(esReport.suggestion.haircut, 0.45309233413811256, FLOAT);
    expect(esReport.suggestion.haircut).toBeGreaterThanOrEqual(varReport.suggestion.haircut);

    // EWMA: sigma x sqrt(10) x z(0.99), z = 2.3263478740408408, turned into a fraction as 1 - exp(-x).
    const { suggestedHaircut: ewmaReport } = await api.data(SUGGEST, { method: 'EWMA' });
    const { dailyVolatility, haircut } = ewmaReport.suggestion;
    expectClose(haircut, 1 - Math.exp(-dailyVolatility * Math.sqrt(10) * 2.3263478740408408), {
      absolute: 1e-9,
    });
    await api.stop();
  });

  it('floors the estimate against pro-cyclicality: the full history by default, or a fixed minimum', async () => {
    const api = await demoApiWithBtcHistory();
    await api.data(LOAD, { histories: [{ assetId: 'BTC', points: history.BTC }] });
    const unfloored = (await api.data(SUGGEST, { method: 'EWMA' })).suggestedHaircut.suggestion;
    // The default floor is the same estimator over all 540 prices, which include the crypto
    // crash before the 250-day window: it must lift the calm window's EWMA haircut.
    const defaulted = (
      await api.data(
        `query { suggestedHaircut(assetId: "BTC", method: EWMA, confidence: 0.99, horizonDays: 10, lookbackDays: 250) {
          suggestion { haircut estimate floorHaircut floorApplied } } }`,
      )
    ).suggestedHaircut.suggestion;
    expect(defaulted.estimate).toBeCloseTo(unfloored.haircut, 12);
    expect(defaulted.floorApplied).toBe(true);
    expect(defaulted.haircut).toBe(defaulted.floorHaircut);
    expect(defaulted.haircut).toBeGreaterThan(unfloored.haircut);

    const fixed = (
      await api.data(SUGGEST, { method: 'HISTORICAL_VAR', floor: { kind: 'FIXED', haircut: 0.6 } })
    ).suggestedHaircut.suggestion;
    expect(fixed).toMatchObject({ haircut: 0.6, floorApplied: true });
    const missing = await api.execute(SUGGEST, { method: 'EWMA', floor: { kind: 'FIXED' } });
    expect(missing.errors?.[0]?.extensions?.issues).toEqual([
      { path: 'floor.haircut', message: 'is required for FIXED' },
    ]);
    await api.stop();
  });

  it('refuses an asset without a history and a lookback longer than it', async () => {
    const api = await demoApiWithBtcHistory();
    expect(errorCode(await api.execute(SUGGEST, { method: 'EWMA' }))).toBe('BAD_USER_INPUT');
    await api.data(LOAD, { histories: [{ assetId: 'BTC', points: history.BTC!.slice(0, 100) }] });
    const tooLong = await api.execute(SUGGEST, { method: 'EWMA' });
    expect(tooLong.errors?.[0]?.extensions?.issues).toEqual([
      expect.objectContaining({ path: 'lookbackDays' }),
    ]);
    await api.stop();
  });

  it('loads price histories all or nothing, naming the bad point', async () => {
    const api = await demoApiWithBtcHistory();
    const result = await api.execute(LOAD, {
      histories: [
        { assetId: 'ETH', points: history.ETH!.slice(0, 30) },
        {
          assetId: 'BTC',
          points: [
            { date: '2026-01-02', price: '100' },
            { date: '2026-01-01', price: '101' },
          ],
        },
      ],
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.issues).toEqual([
      expect.objectContaining({ path: 'histories[1].points[1].date' }),
    ]);
    // ETH was valid but must not have been loaded.
    const eth = await api.execute(
      '{ suggestedHaircut(assetId: "ETH", method: EWMA, confidence: 0.99, horizonDays: 1, lookbackDays: 25) { assetId } }',
    );
    expect(errorCode(eth)).toBe('BAD_USER_INPUT');
    await api.stop();
  });

  it('lets only unscoped admins load history', async () => {
    const viewer = createPrincipal({ id: 'v', name: 'v', roles: ['VIEWER'] });
    const api = await demoApiWithBtcHistory(viewer);
    expect(errorCode(await api.execute(LOAD, { histories: [] }))).toBe('FORBIDDEN');
    await api.stop();
  });
});
