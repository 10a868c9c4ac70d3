/**
 * The behaviour every CollateralStore adapter owes its callers (the rules in store.port.ts).
 * Each adapter's test file calls describeStoreContract with a factory that returns a fresh,
 * empty store. Expected values are written out by hand from the drafts below.
 */
import { dec, type Decimal } from '../../src/domain/decimal';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors';
import type { AccountKind, AssetClass, MarginTerms } from '../../src/domain/model';
import type {
  AccountDraft,
  AssetDraft,
  BookDraft,
  CollateralStore,
  HoldingDraft,
} from '../../src/store/store.port';

/** 34 significant digits: the most Decimal128 (and DecimalMath) keep. */
const LONG_PRICE = '12345678901234567890.12345678901234';
const TINY_RATE = '0.000000000000000000000000000000001234';
const LONG_FX_RATE = '1.082345678901234567890123456789012';

function asset(id: string, overrides: Partial<AssetDraft> = {}): AssetDraft {
  return {
    id,
    name: `${id} name`,
    assetClass: 'GOVERNMENT_BOND' as AssetClass,
    currency: 'USD',
    issuer: `${id} issuer`,
    price: dec('100'),
    ...overrides,
  };
}

function holding(assetId: string, location: string, quantity: string, fundingCostBps = '10'): HoldingDraft {
  return { assetId, location, quantity: dec(quantity), fundingCostBps: dec(fundingCostBps) };
}

function terms(exposure: string): MarginTerms {
  return {
    exposure: dec(exposure),
    independentAmount: dec('0'),
    threshold: dec('0'),
    minimumTransferAmount: dec('0'),
    rounding: dec('0'),
  };
}

function account(id: string, overrides: Partial<AccountDraft> = {}): AccountDraft {
  return {
    id,
    name: `${id} name`,
    counterparty: `${id} counterparty`,
    kind: 'VARIATION_MARGIN' as AccountKind,
    currency: 'USD',
    terms: terms('1000000'),
    eligibility: [{ match: {}, eligible: true, haircut: dec('0') }],
    concentrationLimits: [],
    posted: [],
    ...overrides,
  };
}

/** A small book that uses every field of every entity at least once, and leaves each optional one out once. */
function fullBook(): BookDraft {
  return {
    market: {
      baseCurrency: 'USD',
      fxRates: new Map([
        ['USD', dec('1')],
        ['EUR', dec(LONG_FX_RATE)],
        ['JPY', dec('0.0063')],
      ]),
      asOfDate: '2025-06-30',
    },
    assets: [
      asset('UST-2Y', {
        name: 'US Treasury 2Y',
        rating: 'AA+',
        creditQualityStep: 1,
        maturityDate: '2027-06-30',
        price: dec('99.8125'),
        lotSize: dec('1000'),
      }),
      asset('BTC', { assetClass: 'CRYPTO', currency: 'USD', issuer: 'none', price: dec(LONG_PRICE) }),
      asset('EUR-CASH', { assetClass: 'CASH', currency: 'EUR', price: dec('1') }),
    ],
    inventory: [
      holding('UST-2Y', 'Custodian A', '25000000', '12.5'),
      holding('UST-2Y', 'Custodian B', '0.000001', '0'),
      holding('BTC', 'Venue wallet', '12.34567891', '450'),
    ],
    accounts: [
      account('CCP-1', {
        kind: 'CCP_INITIAL_MARGIN',
        currency: 'EUR',
        terms: {
          exposure: dec('15000000.01'),
          independentAmount: dec('-2500000.5'),
          threshold: dec('50000000'),
          minimumTransferAmount: dec('500000'),
          rounding: dec('10000'),
        },
        eligibility: [
          {
            match: {
              assetClass: 'GOVERNMENT_BOND',
              currency: 'USD',
              issuer: 'US Treasury',
              creditQualityStep: { min: 1, max: 3 },
              maturity: { minYears: 1, maxYears: 5 },
            },
            eligible: true,
            haircut: dec('0.02'),
            fxHaircut: dec('0.08'),
          },
          { match: { assetId: 'BTC' }, eligible: false, haircut: dec('0') },
          { match: {}, eligible: true, haircut: dec(TINY_RATE) },
        ],
        concentrationLimits: [
          { scope: 'ISSUER', value: 'US Treasury', maxFraction: dec('0.4'), basis: 'TOTAL_COLLATERAL' },
          { scope: 'ASSET_CLASS', value: 'CRYPTO', basis: 'REQUIREMENT', maxValue: dec('10000000') },
          {
            scope: 'CURRENCY',
            value: 'USD',
            maxFraction: dec('0.5'),
            basis: 'REQUIREMENT',
            maxValue: dec('20000000.5'),
          },
        ],
        posted: [
          { assetId: 'UST-2Y', quantity: dec('1000000') },
          { assetId: 'BTC', quantity: dec('0.5') },
        ],
      }),
      account('VENUE-1', { kind: 'CRYPTO_VENUE' }),
    ],
  };
}

/**
 * Deep copy with every Decimal as its exact text and Maps as sorted entries, so toStrictEqual
 * compares values digit by digit and notices a key that is present but undefined.
 */
function plain(value: unknown): unknown {
  if (value instanceof Map) {
    return [...value.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, entry]) => [key, plain(entry)]);
  }
  if (Array.isArray(value)) return value.map(plain);
  if (isDecimalLike(value)) return `decimal:${value.toFixed()}`;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plain(entry)]));
  }
  return value;
}

function isDecimalLike(value: unknown): value is Decimal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Decimal).toFixed === 'function' &&
    'd' in value
  );
}

function withVersion<T extends object>(draft: T, version = 1): T & { version: number } {
  return { ...draft, version };
}

function byId<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Runs `mutate` and swallows the TypeError a frozen object throws: the store must be unchanged either way. */
function tryToMutate(mutate: () => void): void {
  try {
    mutate();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}

export function describeStoreContract(
  name: string,
  makeStore: () => Promise<CollateralStore>,
  cleanup: (store: CollateralStore) => Promise<void> = (store) => store.close(),
): void {
  describe(`${name}: store contract`, () => {
    let store: CollateralStore;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await cleanup(store);
    });

    describe('before any book', () => {
      it('is empty, lists nothing and has no market', async () => {
        expect(await store.isEmpty()).toBe(true);
        await expect(store.getMarket()).rejects.toThrow(NotFoundError);
        await expect(store.snapshot()).rejects.toThrow(NotFoundError);
        await expect(store.setFxRates(new Map([['EUR', dec('1.1')]]))).rejects.toThrow(NotFoundError);
        expect(await store.listAssets()).toEqual([]);
        expect(await store.listInventory()).toEqual([]);
        expect(await store.listAccounts()).toEqual([]);
        expect(await store.getAsset('UST-2Y')).toBeUndefined();
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('replaceBook and snapshot', () => {
      it('round-trips every field exactly, with versions at 1 and optional fields absent', async () => {
        const draft = fullBook();
        const returned = await store.replaceBook(draft);
        const snapshot = await store.snapshot();

        const expected = {
          market: withVersion(draft.market),
          assets: byId(draft.assets.map((entry) => withVersion(entry))),
          inventory: [
            withVersion(holding('BTC', 'Venue wallet', '12.34567891', '450')),
            withVersion(holding('UST-2Y', 'Custodian A', '25000000', '12.5')),
            withVersion(holding('UST-2Y', 'Custodian B', '0.000001', '0')),
          ],
          accounts: byId(draft.accounts.map((entry) => withVersion(entry))),
        };
        expect(plain(snapshot)).toStrictEqual(plain(expected));
        expect(plain(returned)).toStrictEqual(plain(expected));
        expect(await store.isEmpty()).toBe(false);

        const btc = snapshot.assets.find((entry) => entry.id === 'BTC')!;
        expect(btc.price.toFixed()).toBe(LONG_PRICE);
        expect('rating' in btc).toBe(false);
        expect('lotSize' in btc).toBe(false);
        expect('maturityDate' in btc).toBe(false);
        expect(snapshot.market.fxRates.get('EUR')!.toFixed()).toBe(LONG_FX_RATE);
        const ccp = snapshot.accounts.find((entry) => entry.id === 'CCP-1')!;
        expect(ccp.eligibility[2]!.haircut.toFixed()).toBe(TINY_RATE);
        expect(ccp.eligibility[2]!.match).toStrictEqual({});
        expect('fxHaircut' in ccp.eligibility[1]!).toBe(false);
        expect('maxValue' in ccp.concentrationLimits[0]!).toBe(false);
        expect('maxFraction' in ccp.concentrationLimits[1]!).toBe(false);
      });

      it('omits asOfDate when the book has none', async () => {
        await store.replaceBook({
          ...fullBook(),
          market: { baseCurrency: 'EUR', fxRates: new Map([['EUR', dec('1')]]) },
        });
        const market = await store.getMarket();
        expect('asOfDate' in market).toBe(false);
        expect(market.baseCurrency).toBe('EUR');
      });

      it('replaces a full store: old entities are gone and versions restart at 1', async () => {
        await store.replaceBook(fullBook());
        await store.setPrices([{ assetId: 'BTC', price: dec('65000') }]);
        await store.setFxRates(new Map([['GBP', dec('1.27')]]));
        await store.setTerms('VENUE-1', terms('5'));

        const replacement: BookDraft = {
          market: { baseCurrency: 'USD', fxRates: new Map([['USD', dec('1')]]) },
          assets: [
            asset('BTC', { assetClass: 'CRYPTO', price: dec('60000') }),
            asset('ETH', { assetClass: 'CRYPTO' }),
          ],
          inventory: [holding('ETH', 'Venue wallet', '40')],
          accounts: [account('VENUE-2')],
        };
        await store.replaceBook(replacement);
        const snapshot = await store.snapshot();
        expect(snapshot.market.version).toBe(1);
        expect([...snapshot.market.fxRates.keys()]).toEqual(['USD']);
        expect(snapshot.assets.map((entry) => [entry.id, entry.version, entry.price.toFixed()])).toEqual([
          ['BTC', 1, '60000'],
          ['ETH', 1, '100'],
        ]);
        expect(
          snapshot.inventory.map((entry) => [entry.assetId, entry.location, entry.quantity.toFixed()]),
        ).toEqual([['ETH', 'Venue wallet', '40']]);
        expect(snapshot.accounts.map((entry) => entry.id)).toEqual(['VENUE-2']);
        expect(await store.getAccount('VENUE-1')).toBeUndefined();
      });

      it('refuses a book with a repeated key and keeps the stored book', async () => {
        await store.replaceBook(fullBook());
        const before = plain(await store.snapshot());
        const repeated: BookDraft = { ...fullBook(), assets: [asset('X'), asset('Y'), asset('X')] };
        await expect(store.replaceBook(repeated)).rejects.toThrow(ValidationError);
        await expect(store.replaceBook(repeated)).rejects.toMatchObject({
          issues: [{ path: 'assets[2].id', message: "repeats asset id 'X'" }],
        });
        expect(plain(await store.snapshot())).toStrictEqual(before);
      });
    });

    describe('versions and optimistic concurrency', () => {
      beforeEach(async () => {
        await store.replaceBook(fullBook());
      });

      it('start at 1 and go up by one on each change', async () => {
        const created = await store.upsertAsset(asset('NEW'));
        expect(created.version).toBe(1);
        expect((await store.upsertAsset(asset('NEW', { name: 'renamed' }))).version).toBe(2);
        expect((await store.setPrices([{ assetId: 'NEW', price: dec('101') }]))[0]!.version).toBe(3);
        expect((await store.getAsset('NEW'))!.version).toBe(3);
        expect((await store.setFxRates(new Map([['GBP', dec('1.27')]]))).version).toBe(2);
        expect((await store.setTerms('VENUE-1', terms('7'))).version).toBe(2);
        expect((await store.upsertAccount(account('VENUE-1'))).version).toBe(3);
        const [adjusted] = await store.adjustInventory([
          { assetId: 'BTC', location: 'Venue wallet', delta: dec('1') },
        ]);
        expect(adjusted!.version).toBe(2);
      });

      it('refuses a stale expectedVersion with ConflictError naming both versions, and changes nothing', async () => {
        await store.upsertAsset(asset('UST-2Y', { name: 'second write' }));
        const stale = store.upsertAsset(asset('UST-2Y', { name: 'stale write' }), 1);
        await expect(stale).rejects.toThrow(ConflictError);
        await expect(store.upsertAsset(asset('UST-2Y', { name: 'stale write' }), 1)).rejects.toThrow(
          /expected version 1.*version 2/,
        );
        const stored = (await store.getAsset('UST-2Y'))!;
        expect([stored.name, stored.version]).toEqual(['second write', 2]);

        await expect(store.setFxRates(new Map([['EUR', dec('2')]]), 7)).rejects.toThrow(ConflictError);
        const market = await store.getMarket();
        expect([market.fxRates.get('EUR')!.toFixed(), market.version]).toEqual([LONG_FX_RATE, 1]);

        await expect(store.setTerms('VENUE-1', terms('9'), 3)).rejects.toThrow(ConflictError);
        await expect(store.upsertAccount(account('VENUE-1', { name: 'stale' }), 2)).rejects.toThrow(
          ConflictError,
        );
        const venue = (await store.getAccount('VENUE-1'))!;
        expect([venue.name, venue.terms.exposure.toFixed(), venue.version]).toEqual([
          'VENUE-1 name',
          '1000000',
          1,
        ]);
      });

      it('writes when expectedVersion matches', async () => {
        const updated = await store.upsertAsset(asset('UST-2Y', { name: 'checked write' }), 1);
        expect([updated.name, updated.version]).toEqual(['checked write', 2]);
        expect((await store.setFxRates(new Map([['EUR', dec('1.1')]]), 1)).version).toBe(2);
        expect((await store.setTerms('VENUE-1', terms('3'), 1)).version).toBe(2);
      });

      it('treats expectedVersion 0 as insert-only', async () => {
        await expect(store.upsertAsset(asset('UST-2Y', { name: 'duplicate' }), 0)).rejects.toThrow(
          ConflictError,
        );
        expect((await store.getAsset('UST-2Y'))!.name).toBe('US Treasury 2Y');
        await expect(store.upsertAccount(account('CCP-1'), 0)).rejects.toThrow(ConflictError);
        expect((await store.getAccount('CCP-1'))!.kind).toBe('CCP_INITIAL_MARGIN');

        const inserted = await store.upsertAsset(asset('FRESH'), 0);
        expect(inserted.version).toBe(1);
        expect((await store.upsertAccount(account('FRESH-ACCOUNT'), 0)).version).toBe(1);
      });

      it('refuses an expectedVersion above 0 for an entity that does not exist', async () => {
        await expect(store.upsertAsset(asset('GHOST'), 1)).rejects.toThrow(ConflictError);
        expect(await store.getAsset('GHOST')).toBeUndefined();
      });
    });

    describe('assets', () => {
      beforeEach(async () => {
        await store.replaceBook(fullBook());
      });

      it('upsert creates, then replaces every field, dropping optional fields left out', async () => {
        const draft = asset('GILT-10Y', {
          currency: 'GBP',
          rating: 'AA',
          creditQualityStep: 1,
          maturityDate: '2035-01-31',
          lotSize: dec('0.01'),
          price: dec('97.125'),
        });
        expect(plain(await store.upsertAsset(draft))).toStrictEqual(plain(withVersion(draft)));
        const replacement = asset('GILT-10Y', { name: 'Gilt', currency: 'GBP', price: dec('96') });
        const updated = await store.upsertAsset(replacement);
        expect(plain(updated)).toStrictEqual(plain(withVersion(replacement, 2)));
        expect(plain(await store.getAsset('GILT-10Y'))).toStrictEqual(plain(withVersion(replacement, 2)));
      });

      it('keeps only the fields of the model from a draft that carries more', async () => {
        const draft = { ...asset('EXTRA'), internalNote: 'not part of the model' } as AssetDraft;
        expect('internalNote' in (await store.upsertAsset(draft))).toBe(false);
        expect('internalNote' in (await store.getAsset('EXTRA'))!).toBe(false);
      });

      it('lists by asset class, by currency, and by both, ordered by id', async () => {
        await store.upsertAsset(asset('ETH', { assetClass: 'CRYPTO', currency: 'USD' }));
        await store.upsertAsset(asset('BUND-5Y', { currency: 'EUR' }));
        const ids = async (filter: Parameters<CollateralStore['listAssets']>[0]) =>
          (await store.listAssets(filter)).map((entry) => entry.id);
        expect(await ids(undefined)).toEqual(['BTC', 'BUND-5Y', 'ETH', 'EUR-CASH', 'UST-2Y']);
        expect(await ids({ assetClass: 'CRYPTO' })).toEqual(['BTC', 'ETH']);
        expect(await ids({ currency: 'EUR' })).toEqual(['BUND-5Y', 'EUR-CASH']);
        expect(await ids({ assetClass: 'GOVERNMENT_BOND', currency: 'EUR' })).toEqual(['BUND-5Y']);
        expect(await ids({ assetClass: 'GOLD' })).toEqual([]);
      });

      it('sets several prices at once', async () => {
        const updated = await store.setPrices([
          { assetId: 'BTC', price: dec('64999.99') },
          { assetId: 'UST-2Y', price: dec('99.5') },
        ]);
        expect(updated.map((entry) => [entry.id, entry.price.toFixed(), entry.version])).toEqual([
          ['BTC', '64999.99', 2],
          ['UST-2Y', '99.5', 2],
        ]);
        expect((await store.getAsset('UST-2Y'))!.price.toFixed()).toBe('99.5');
        expect((await store.getAsset('UST-2Y'))!.lotSize!.toFixed()).toBe('1000');
      });

      it('sets no price at all when one asset id is unknown', async () => {
        const attempt = store.setPrices([
          { assetId: 'BTC', price: dec('1') },
          { assetId: 'UST-2Y', price: dec('2') },
          { assetId: 'NO-SUCH-ASSET', price: dec('3') },
        ]);
        await expect(attempt).rejects.toThrow(NotFoundError);
        await expect(attempt).rejects.toMatchObject({ entity: 'asset', id: 'NO-SUCH-ASSET' });
        const prices = (await store.listAssets()).map((entry) => [
          entry.id,
          entry.price.toFixed(),
          entry.version,
        ]);
        expect(prices).toEqual([
          ['BTC', LONG_PRICE, 1],
          ['EUR-CASH', '1', 1],
          ['UST-2Y', '99.8125', 1],
        ]);
      });
    });

    describe('market', () => {
      beforeEach(async () => {
        await store.replaceBook(fullBook());
      });

      it('merges FX rates: keeps the others, changes and adds the given ones', async () => {
        const market = await store.setFxRates(
          new Map([
            ['JPY', dec('0.0064')],
            ['GBP', dec('1.2712345')],
          ]),
        );
        const expected = [
          ['EUR', LONG_FX_RATE],
          ['GBP', '1.2712345'],
          ['JPY', '0.0064'],
          ['USD', '1'],
        ];
        const rates = (settings: typeof market) =>
          [...settings.fxRates.entries()].map(([code, rate]) => [code, rate.toFixed()]).sort();
        expect(rates(market)).toEqual(expected);
        expect(rates(await store.getMarket())).toEqual(expected);
        expect(market.baseCurrency).toBe('USD');
        expect(market.asOfDate).toBe('2025-06-30');
      });
    });

    describe('inventory', () => {
      beforeEach(async () => {
        await store.replaceBook(fullBook());
      });

      const quantities = async () =>
        (await store.listInventory()).map((entry) => [
          `${entry.assetId}@${entry.location}`,
          entry.quantity.toFixed(),
          entry.fundingCostBps.toFixed(),
          entry.version,
        ]);
      const initialQuantities = [
        ['BTC@Venue wallet', '12.34567891', '450', 1],
        ['UST-2Y@Custodian A', '25000000', '12.5', 1],
        ['UST-2Y@Custodian B', '0.000001', '0', 1],
      ];

      it('creates a holding with a funding cost, and changes quantity and funding cost of existing ones', async () => {
        const touched = await store.adjustInventory([
          { assetId: 'EUR-CASH', location: 'Bank B', delta: dec('1500000.75'), fundingCostBps: dec('3') },
          { assetId: 'UST-2Y', location: 'Custodian A', delta: dec('-5000000'), fundingCostBps: dec('11') },
          { assetId: 'BTC', location: 'Venue wallet', delta: dec('0.00000009') },
        ]);
        expect(touched.map((entry) => [entry.assetId, entry.quantity.toFixed(), entry.version])).toEqual([
          ['EUR-CASH', '1500000.75', 1],
          ['UST-2Y', '20000000', 2],
          ['BTC', '12.345679', 2],
        ]);
        expect(await quantities()).toEqual([
          ['BTC@Venue wallet', '12.345679', '450', 2],
          ['EUR-CASH@Bank B', '1500000.75', '3', 1],
          ['UST-2Y@Custodian A', '20000000', '11', 2],
          ['UST-2Y@Custodian B', '0.000001', '0', 1],
        ]);
        expect((await store.listInventory({ assetId: 'UST-2Y' })).map((entry) => entry.location)).toEqual([
          'Custodian A',
          'Custodian B',
        ]);
      });

      it('refuses a new holding without a funding cost and applies nothing of the batch', async () => {
        const attempt = store.adjustInventory([
          { assetId: 'UST-2Y', location: 'Custodian A', delta: dec('-1') },
          { assetId: 'EUR-CASH', location: 'Bank B', delta: dec('100') },
        ]);
        await expect(attempt).rejects.toThrow(ValidationError);
        await expect(attempt).rejects.toMatchObject({
          code: 'BAD_USER_INPUT',
          issues: [{ path: 'adjustments[1].fundingCostBps' }],
        });
        expect(await quantities()).toEqual(initialQuantities);
      });

      it('refuses to go below zero with ConflictError and leaves every holding of the batch unchanged', async () => {
        const attempt = store.adjustInventory([
          { assetId: 'EUR-CASH', location: 'Bank B', delta: dec('100'), fundingCostBps: dec('2') },
          { assetId: 'UST-2Y', location: 'Custodian A', delta: dec('-1000'), fundingCostBps: dec('99') },
          { assetId: 'BTC', location: 'Venue wallet', delta: dec('5') },
          { assetId: 'UST-2Y', location: 'Custodian B', delta: dec('-0.000002') },
        ]);
        await expect(attempt).rejects.toThrow(ConflictError);
        expect(await quantities()).toEqual(initialQuantities);
      });

      it('judges a batch by its net change per holding', async () => {
        const touched = await store.adjustInventory([
          { assetId: 'UST-2Y', location: 'Custodian B', delta: dec('-0.000003') },
          { assetId: 'UST-2Y', location: 'Custodian B', delta: dec('0.000002') },
        ]);
        expect(touched.map((entry) => [entry.quantity.toFixed(), entry.version])).toEqual([['0', 2]]);
      });

      it('refuses a negative delta on a holding that does not exist with NotFoundError', async () => {
        const attempt = store.adjustInventory([
          { assetId: 'BTC', location: 'Venue wallet', delta: dec('1') },
          { assetId: 'BTC', location: 'Cold storage', delta: dec('-1') },
        ]);
        await expect(attempt).rejects.toThrow(NotFoundError);
        await expect(attempt).rejects.toMatchObject({ entity: 'holding', id: 'BTC@Cold storage' });
        expect(await quantities()).toEqual(initialQuantities);
      });

      it('lets exactly 150 of 200 concurrent decrements of 1 through a holding of 150, never below zero', async () => {
        await store.adjustInventory([
          { assetId: 'BTC', location: 'Exchange', delta: dec('150'), fundingCostBps: dec('400') },
        ]);
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, () =>
            store.adjustInventory([{ assetId: 'BTC', location: 'Exchange', delta: dec('-1') }]),
          ),
        );
        const fulfilled = results.filter((result) => result.status === 'fulfilled');
        const rejected = results.filter((result) => result.status === 'rejected');
        expect(fulfilled).toHaveLength(150);
        expect(rejected).toHaveLength(50);
        for (const result of rejected) expect(result.reason).toBeInstanceOf(ConflictError);
        const seen = fulfilled.map((result) => result.value[0]!.quantity.toNumber()).sort((a, b) => a - b);
        expect(seen).toEqual(Array.from({ length: 150 }, (_, index) => index));
        const [final] = await store
          .listInventory({ assetId: 'BTC' })
          .then((list) => list.filter((entry) => entry.location === 'Exchange'));
        expect([final!.quantity.toFixed(), final!.version]).toEqual(['0', 151]);
      });

      it('keeps concurrent two-holding batches all-or-nothing when one holding runs out', async () => {
        await store.adjustInventory([
          { assetId: 'EUR-CASH', location: 'Bank X', delta: dec('100'), fundingCostBps: dec('1') },
          { assetId: 'EUR-CASH', location: 'Bank Y', delta: dec('50'), fundingCostBps: dec('1') },
        ]);
        const results = await Promise.allSettled(
          Array.from({ length: 80 }, () =>
            store.adjustInventory([
              { assetId: 'EUR-CASH', location: 'Bank X', delta: dec('-1') },
              { assetId: 'EUR-CASH', location: 'Bank Y', delta: dec('-1') },
            ]),
          ),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(50);
        for (const result of results) {
          if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConflictError);
        }
        const banks = (await store.listInventory({ assetId: 'EUR-CASH' })).map((entry) => [
          entry.location,
          entry.quantity.toFixed(),
          entry.version,
        ]);
        expect(banks).toEqual([
          ['Bank X', '50', 51],
          ['Bank Y', '0', 51],
        ]);
      });
    });

    describe('accounts', () => {
      beforeEach(async () => {
        await store.replaceBook(fullBook());
      });

      it('sets terms and keeps the rest of the account', async () => {
        const newTerms: MarginTerms = {
          exposure: dec('2500000.25'),
          independentAmount: dec('100000'),
          threshold: dec('250000'),
          minimumTransferAmount: dec('100000'),
          rounding: dec('1000'),
        };
        const updated = await store.setTerms('CCP-1', newTerms);
        const expected = withVersion({ ...fullBook().accounts[0]!, terms: newTerms }, 2);
        expect(plain(updated)).toStrictEqual(plain(expected));
        expect(plain(await store.getAccount('CCP-1'))).toStrictEqual(plain(expected));
      });

      it('refuses terms for an unknown account with NotFoundError', async () => {
        await expect(store.setTerms('NO-SUCH-ACCOUNT', terms('1'))).rejects.toThrow(NotFoundError);
        expect(await store.getAccount('NO-SUCH-ACCOUNT')).toBeUndefined();
      });

      it('keeps a liquidation trigger exactly, and drops it when an upsert leaves it out', async () => {
        const trigger = { kind: 'COVERAGE_BELOW' as const, threshold: dec('0.9125') };
        const created = await store.upsertAccount(account('LENDER-1', { liquidationTrigger: trigger }));
        expect(created.liquidationTrigger?.kind).toBe('COVERAGE_BELOW');
        expect(created.liquidationTrigger?.threshold.toFixed()).toBe('0.9125');
        const reread = await store.getAccount('LENDER-1');
        expect(reread?.liquidationTrigger?.threshold.toFixed()).toBe('0.9125');
        await store.upsertAccount(account('LENDER-1'), 1);
        expect((await store.getAccount('LENDER-1'))?.liquidationTrigger).toBeUndefined();
      });

      it('returns undefined for an unknown account and lists accounts by id', async () => {
        expect(await store.getAccount('NOPE')).toBeUndefined();
        await store.upsertAccount(account('AAA-FIRST'));
        expect((await store.listAccounts()).map((entry) => entry.id)).toEqual([
          'AAA-FIRST',
          'CCP-1',
          'VENUE-1',
        ]);
      });
    });

    describe('reads are not live', () => {
      it('mutating what a read returned changes nothing stored', async () => {
        await store.replaceBook(fullBook());
        const before = plain(await store.snapshot());

        const assets = await store.listAssets();
        tryToMutate(() => assets.splice(0, assets.length));
        const snapshot = await store.snapshot();
        tryToMutate(() => (snapshot.inventory as unknown[]).pop());
        tryToMutate(() => (snapshot.accounts[0]!.eligibility as unknown[]).push({ broken: true }));
        tryToMutate(() => ((snapshot.accounts[0]!.terms as { exposure: Decimal }).exposure = dec('0')));
        tryToMutate(() => ((snapshot.assets[0] as { name: string }).name = 'mutated'));
        const market = await store.getMarket();
        tryToMutate(() => (market.fxRates as Map<string, Decimal>).set('XXX', dec('9')));
        tryToMutate(() => (market.fxRates as Map<string, Decimal>).delete('EUR'));
        const account = (await store.getAccount('CCP-1'))!;
        tryToMutate(() => (account.posted as unknown[]).splice(0, 1));

        expect(plain(await store.snapshot())).toStrictEqual(before);
      });

      it('keeps what it stored when the caller later mutates the draft it passed in', async () => {
        const draft = fullBook();
        await store.replaceBook(draft);
        (draft.assets as AssetDraft[]).pop();
        (draft.market.fxRates as Map<string, Decimal>).set('XXX', dec('9'));
        const accountDraft = account('LATER', { posted: [{ assetId: 'BTC', quantity: dec('1') }] });
        await store.upsertAccount(accountDraft);
        (accountDraft.posted as unknown[]).push({ assetId: 'UST-2Y', quantity: dec('2') });

        expect((await store.listAssets()).map((entry) => entry.id)).toEqual(['BTC', 'EUR-CASH', 'UST-2Y']);
        expect((await store.getMarket()).fxRates.has('XXX')).toBe(false);
        expect((await store.getAccount('LATER'))!.posted).toHaveLength(1);
      });
    });
  });
}
