/**
 * Manual moves through the real schema: post, return and substitute, their typed refusals (each
 * changes nothing), overrides, and idempotent replays. Book: test/fixtures/books/small-book.json.
 *
 * Hand-computed values used below (DERIBIT settles in USDT; USDT = 0.9998 USD):
 * - BTC at DERIBIT counts 61,250.5 x 0.9 = 55,125.45 USDT per BTC.
 * - The BTC limit caps BTC at min(0.75 x 2,400,000.50, 5,000,000) = 1,800,000.375 USDT:
 *   30 BTC (1,653,763.5) fits, 33 BTC (1,819,139.85) breaches.
 * - 0.1 BTC counts 5,512.545 USDT, below DERIBIT's MTA of 10,000.
 * - USD cash counts 0.98 / 0.9998 USDT per USD. After posting 3,000,000 USD (2,940,588.1176...
 *   USDT) DERIBIT has an excess of 540,587.6176... over 2,400,000.50, so the return amount,
 *   rounded down to the 1,000 increment, is 540,000: returning 550,900 USD (539,989.998 USDT)
 *   is allowed, returning 551,000 USD (540,088.0176 USDT) is not.
 */
import { createTestApi, errorCode, type GraphQLResponse, type TestApi } from '../support/graphql-harness';

const BATCH =
  'batchId replayed movements { kind accountId assetId location quantity holdingBefore holdingAfter postedBefore postedAfter overrideReason idempotencyKey }';
const POST = `mutation Post($accountId: ID!, $assetId: ID!, $quantity: Decimal!, $key: String!, $location: String, $override: OverrideInput) {
  postCollateral(accountId: $accountId, assetId: $assetId, quantity: $quantity, idempotencyKey: $key, location: $location, override: $override) { ${BATCH} }
}`;
const RETURN = `mutation Return($accountId: ID!, $assetId: ID!, $quantity: Decimal!, $key: String!, $location: String, $override: OverrideInput) {
  returnCollateral(accountId: $accountId, assetId: $assetId, quantity: $quantity, idempotencyKey: $key, location: $location, override: $override) { ${BATCH} }
}`;
const SUBSTITUTE = `mutation Substitute($accountId: ID!, $out: SubstitutionOutInput!, $in: SubstitutionInInput!, $key: String!, $override: OverrideInput) {
  substituteCollateral(accountId: $accountId, out: $out, in: $in, idempotencyKey: $key, override: $override) { ${BATCH} }
}`;

async function free(api: TestApi, assetId: string, location: string): Promise<string | undefined> {
  return (await api.store.listInventory({ assetId }))
    .find((item) => item.location === location)
    ?.quantity.toFixed();
}

async function posted(api: TestApi, accountId: string, assetId: string): Promise<string | undefined> {
  return (await api.store.getAccount(accountId))?.posted
    .find((item) => item.assetId === assetId)
    ?.quantity.toFixed();
}

function issuePaths(result: GraphQLResponse): string[] {
  return ((result.errors?.[0]?.extensions?.issues ?? []) as { path: string }[]).map((issue) => issue.path);
}

describe('manual moves', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await createTestApi();
  });
  afterEach(() => api.stop());

  /** Runs a call that must fail with `code`, and checks that the book and the log did not change. */
  async function expectRefused(
    query: string,
    variables: Record<string, unknown>,
    code: string,
  ): Promise<GraphQLResponse> {
    const before = await api.store.snapshot();
    const logBefore = await api.store.listMovements();
    const result = await api.execute(query, variables);
    expect(errorCode(result)).toBe(code);
    expect(await api.store.snapshot()).toEqual(before);
    expect(await api.store.listMovements()).toEqual(logBefore);
    return result;
  }

  it('posts free inventory to an account and logs before/after', async () => {
    const data = await api.data(POST, { accountId: 'DERIBIT', assetId: 'BTC', quantity: '10', key: 'p-1' });
    expect(data.postCollateral.replayed).toBe(false);
    expect(data.postCollateral.movements).toEqual([
      {
        kind: 'DELIVER',
        accountId: 'DERIBIT',
        assetId: 'BTC',
        location: 'Deribit wallet',
        quantity: '10',
        holdingBefore: '150.25',
        holdingAfter: '140.25',
        postedBefore: '0',
        postedAfter: '10',
        overrideReason: null,
        idempotencyKey: 'p-1',
      },
    ]);
    expect(await free(api, 'BTC', 'Deribit wallet')).toBe('140.25');
    expect(await posted(api, 'DERIBIT', 'BTC')).toBe('10');
    const log = await api.data('{ movements(accountId: "DERIBIT") { kind quantity } }');
    expect(log.movements).toEqual([{ kind: 'DELIVER', quantity: '10' }]);
  });

  it('replays the same key and request without acting; a different request is IDEMPOTENCY_CONFLICT', async () => {
    const first = await api.data(POST, { accountId: 'DERIBIT', assetId: 'BTC', quantity: '10', key: 'p-1' });
    // "10.00" is the same quantity: the request hash goes by value.
    const second = await api.data(POST, {
      accountId: 'DERIBIT',
      assetId: 'BTC',
      quantity: '10.00',
      key: 'p-1',
    });
    expect(second.postCollateral.replayed).toBe(true);
    expect(second.postCollateral.batchId).toBe(first.postCollateral.batchId);
    expect(await free(api, 'BTC', 'Deribit wallet')).toBe('140.25');
    await expectRefused(
      POST,
      { accountId: 'DERIBIT', assetId: 'BTC', quantity: '11', key: 'p-1' },
      'IDEMPOTENCY_CONFLICT',
    );
  });

  it('replays a refusal for the same key even after the cause went away', async () => {
    await expectRefused(
      POST,
      { accountId: 'DERIBIT', assetId: 'BTC', quantity: '0.1', key: 'p-mta' },
      'BAD_USER_INPUT',
    );
    await api.data(
      'mutation { setRequirement(accountId: "DERIBIT", requirement: { exposure: "2500000.50", independentAmount: "-100000", minimumTransferAmount: "0", rounding: "1000" }) { version } }',
    );
    await expectRefused(
      POST,
      { accountId: 'DERIBIT', assetId: 'BTC', quantity: '0.1', key: 'p-mta' },
      'BAD_USER_INPUT',
    );
    // A new key acts on the new terms.
    const data = await api.data(POST, {
      accountId: 'DERIBIT',
      assetId: 'BTC',
      quantity: '0.1',
      key: 'p-mta-2',
    });
    expect(data.postCollateral.movements[0].postedAfter).toBe('0.1');
  });

  it('refuses an ineligible asset, naming the rule', async () => {
    const result = await expectRefused(
      POST,
      { accountId: 'DERIBIT', assetId: 'UST-5Y', quantity: '1000', key: 'p-x' },
      'BAD_USER_INPUT',
    );
    expect(issuePaths(result)).toEqual(['assetId']);
    expect(result.errors?.[0]?.message).toMatch(/excluded by eligibility\[2\]/);
    const noRule = await expectRefused(
      POST,
      { accountId: 'LCH-IM', assetId: 'BTC', quantity: '1', key: 'p-y' },
      'BAD_USER_INPUT',
    );
    expect(noRule.errors?.[0]?.message).toMatch(/no eligibility rule matches/);
  });

  it('refuses a quantity that is not a whole number of lots', async () => {
    const result = await expectRefused(
      POST,
      { accountId: 'LCH-IM', assetId: 'UST-5Y', quantity: '1500', key: 'p-lot' },
      'BAD_USER_INPUT',
    );
    expect(issuePaths(result)).toEqual(['quantity']);
    expect(result.errors?.[0]?.message).toMatch(/lot size 1000/);
  });

  it('refuses more than the free inventory with CONFLICT', async () => {
    await expectRefused(
      POST,
      { accountId: 'DERIBIT', assetId: 'BTC', quantity: '150.26', key: 'p-big' },
      'CONFLICT',
    );
    await expectRefused(
      POST,
      { accountId: 'DERIBIT', assetId: 'USD-CASH', quantity: '1000', location: 'Nowhere', key: 'p-loc' },
      'NOT_FOUND',
    );
  });

  it('refuses a delivery below the MTA', async () => {
    const result = await expectRefused(
      POST,
      { accountId: 'DERIBIT', assetId: 'BTC', quantity: '0.1', key: 'p-mta' },
      'BAD_USER_INPUT',
    );
    expect(result.errors?.[0]?.message).toMatch(/5512\.545 USDT, below the minimum transfer amount 10000/);
  });

  it('refuses a concentration breach naming the limit; an override with a reason lets it through and is logged', async () => {
    expect(
      (await api.data(POST, { accountId: 'DERIBIT', assetId: 'BTC', quantity: '30', key: 'p-30' }))
        .postCollateral,
    ).toBeTruthy();
    const result = await expectRefused(
      POST,
      { accountId: 'DERIBIT', assetId: 'BTC', quantity: '3', key: 'p-33' },
      'BAD_USER_INPUT',
    );
    expect(result.errors?.[0]?.message).toMatch(
      /concentrationLimits\[0\] \(ASSET BTC.*1819139\.85 USDT exceeds the cap 1800000\.375/,
    );
    await expectRefused(
      POST,
      { accountId: 'DERIBIT', assetId: 'BTC', quantity: '3', key: 'p-blank', override: { reason: '  ' } },
      'BAD_USER_INPUT',
    );
    const overridden = await api.data(POST, {
      accountId: 'DERIBIT',
      assetId: 'BTC',
      quantity: '3',
      key: 'p-override',
      override: { reason: 'venue approved a temporary excess' },
    });
    expect(overridden.postCollateral.movements[0]).toMatchObject({
      postedAfter: '33',
      overrideReason: 'venue approved a temporary excess',
    });
    expect(await posted(api, 'DERIBIT', 'BTC')).toBe('33');
  });

  it('returns collateral up to the return amount rounded down to the increment', async () => {
    await api.data(POST, { accountId: 'DERIBIT', assetId: 'USD-CASH', quantity: '3000000', key: 'p-cash' });
    const tooMuch = await expectRefused(
      RETURN,
      { accountId: 'DERIBIT', assetId: 'USD-CASH', quantity: '551000', key: 'r-1' },
      'BAD_USER_INPUT',
    );
    expect(tooMuch.errors?.[0]?.message).toMatch(/more than the return amount 540000 due/);
    const data = await api.data(RETURN, {
      accountId: 'DERIBIT',
      assetId: 'USD-CASH',
      quantity: '550900',
      key: 'r-2',
    });
    expect(data.returnCollateral.movements).toEqual([
      expect.objectContaining({
        kind: 'RETURN',
        location: 'JPM custody',
        quantity: '550900',
        holdingBefore: '22000000',
        holdingAfter: '22550900',
        postedBefore: '3000000',
        postedAfter: '2449100',
      }),
    ]);
  });

  it('refuses an over-return with CONFLICT and a return that breaches coverage', async () => {
    await expectRefused(
      RETURN,
      { accountId: 'LCH-IM', assetId: 'UST-5Y', quantity: '10001000', key: 'r-over' },
      'CONFLICT',
    );
    // LCH-IM is short (9,679,031.25 of 30,000,000): it is owed nothing back.
    const short = await expectRefused(
      RETURN,
      { accountId: 'LCH-IM', assetId: 'UST-5Y', quantity: '1000', key: 'r-short' },
      'BAD_USER_INPUT',
    );
    expect(short.errors?.[0]?.message).toMatch(/more than the return amount 0 due/);
    await expectRefused(
      RETURN,
      { accountId: 'LCH-IM', assetId: 'UST-5Y', quantity: '1500', key: 'r-lot' },
      'BAD_USER_INPUT',
    );
    await expectRefused(
      RETURN,
      { accountId: 'DERIBIT', assetId: 'BTC', quantity: '1', key: 'r-none' },
      'CONFLICT',
    );
  });

  it('returns to a new holding at the given location, and with an override below coverage', async () => {
    const data = await api.data(RETURN, {
      accountId: 'LCH-IM',
      assetId: 'UST-5Y',
      quantity: '1000000',
      location: 'Fed account',
      key: 'r-new',
      override: { reason: 'settlement fail recall' },
    });
    expect(data.returnCollateral.movements[0]).toMatchObject({
      location: 'Fed account',
      holdingBefore: '0',
      holdingAfter: '1000000',
      postedAfter: '9000000',
      overrideReason: 'settlement fail recall',
    });
    expect(await free(api, 'UST-5Y', 'Fed account')).toBe('1000000');
  });

  it('substitutes collateral in one batch when coverage and limits still hold', async () => {
    await api.data(POST, { accountId: 'DERIBIT', assetId: 'USD-CASH', quantity: '3000000', key: 'p-cash' });
    const data = await api.data(SUBSTITUTE, {
      accountId: 'DERIBIT',
      out: { assetId: 'USD-CASH', quantity: '1000000' },
      in: { assetId: 'BTC', quantity: '20' },
      key: 's-1',
    });
    expect(data.substituteCollateral.movements).toEqual([
      expect.objectContaining({
        kind: 'RETURN',
        assetId: 'USD-CASH',
        quantity: '1000000',
        postedAfter: '2000000',
      }),
      expect.objectContaining({
        kind: 'DELIVER',
        assetId: 'BTC',
        quantity: '20',
        postedAfter: '20',
        holdingAfter: '130.25',
      }),
    ]);
    expect(await free(api, 'USD-CASH', 'JPM custody')).toBe('23000000');
  });

  it('refuses substitutions that break coverage, limits, eligibility or inventory', async () => {
    await api.data(POST, { accountId: 'DERIBIT', assetId: 'USD-CASH', quantity: '3000000', key: 'p-cash' });
    // LCH-IM is already short: swapping 9,679,031.25 of bonds for 1,000,000 of cash makes it worse.
    const worse = await expectRefused(
      SUBSTITUTE,
      {
        accountId: 'LCH-IM',
        out: { assetId: 'UST-5Y', quantity: '10000000' },
        in: { assetId: 'USD-CASH', quantity: '1000000' },
        key: 's-worse',
      },
      'BAD_USER_INPUT',
    );
    expect(issuePaths(worse)).toEqual(['in.quantity']);
    const limit = await expectRefused(
      SUBSTITUTE,
      {
        accountId: 'DERIBIT',
        out: { assetId: 'USD-CASH', quantity: '1000000' },
        in: { assetId: 'BTC', quantity: '33' },
        key: 's-limit',
      },
      'BAD_USER_INPUT',
    );
    expect(limit.errors?.[0]?.message).toMatch(/concentrationLimits\[0\]/);
    const ineligible = await expectRefused(
      SUBSTITUTE,
      {
        accountId: 'DERIBIT',
        out: { assetId: 'USD-CASH', quantity: '1000000' },
        in: { assetId: 'UST-5Y', quantity: '1000' },
        key: 's-x',
      },
      'BAD_USER_INPUT',
    );
    expect(issuePaths(ineligible)).toEqual(['in.assetId']);
    await expectRefused(
      SUBSTITUTE,
      {
        accountId: 'DERIBIT',
        out: { assetId: 'USD-CASH', quantity: '9000000' },
        in: { assetId: 'BTC', quantity: '1' },
        key: 's-over',
      },
      'CONFLICT',
    );
    await expectRefused(
      SUBSTITUTE,
      {
        accountId: 'DERIBIT',
        out: { assetId: 'USD-CASH', quantity: '100000' },
        in: { assetId: 'BTC', quantity: '151' },
        key: 's-free',
      },
      'CONFLICT',
    );
  });

  it('lists movements of an account between from (inclusive) and to (exclusive)', async () => {
    await api.data(POST, { accountId: 'DERIBIT', assetId: 'BTC', quantity: '10', key: 'p-1' });
    const all = await api.data('{ movements(accountId: "DERIBIT") { at quantity } }');
    const at = all.movements[0].at as string;
    const later = new Date(new Date(at).getTime() + 1).toISOString();
    expect(
      (await api.data(`{ movements(accountId: "DERIBIT", from: "${at}") { quantity } }`)).movements,
    ).toHaveLength(1);
    expect(
      (await api.data(`{ movements(accountId: "DERIBIT", to: "${at}") { quantity } }`)).movements,
    ).toHaveLength(0);
    expect(
      (await api.data(`{ movements(accountId: "DERIBIT", from: "${later}") { quantity } }`)).movements,
    ).toHaveLength(0);
    expect((await api.data('{ movements(accountId: "LCH-IM") { quantity } }')).movements).toHaveLength(0);
    expect(
      errorCode(
        await api.execute(`{ movements(accountId: "DERIBIT", from: "${later}", to: "${at}") { id } }`),
      ),
    ).toBe('BAD_USER_INPUT');
  });
});
