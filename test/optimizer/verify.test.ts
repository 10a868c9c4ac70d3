import { dec, ZERO } from '../../src/domain/decimal';
import type { PlanLine } from '../../src/optimizer/optimizer.types';
import { verifyPlan } from '../../src/optimizer/verify';
import { fixtureBook, fixtureRequest, loadFixture } from './support/optimizer-fixture';

function deliver(accountId: string, assetId: string, location: string, quantity: string): PlanLine {
  // The verifier recomputes values from the book; the values carried on the line are not trusted.
  return {
    accountId,
    assetId,
    location,
    quantity: dec(quantity),
    marketValue: ZERO,
    collateralValue: ZERO,
    haircut: ZERO,
    cost: ZERO,
    costInObjective: true,
    movementType: 'DELIVER',
  };
}

function failedKinds(report: ReturnType<typeof verifyPlan>): string[] {
  return report.checks.filter((check) => !check.passed).map((check) => check.kind);
}

describe('verifyPlan', () => {
  describe('on the lot-size book (requirement 250,000; A1 lots of 1,000 units at 100, A2 at 50)', () => {
    const fixture = loadFixture('lot-size.json');
    const book = fixtureBook(fixture);
    const request = fixtureRequest(fixture);
    const noShortfall = new Map([['EX-1', ZERO]]);

    it('accepts the whole-lot optimum: 2 lots of A1 and 1 of A2 cover 250,000 exactly', () => {
      const report = verifyPlan(book, request, {
        lines: [deliver('EX-1', 'A1', 'DTC', '2000'), deliver('EX-1', 'A2', 'DTC', '1000')],
        shortfallByAccount: noShortfall,
      });
      expect(failedKinds(report)).toEqual([]);
      expect(report.passed).toBe(true);
    });

    it('rejects the javascript-lp-solver failure class: fractional lots reported feasible while the requirement is short', () => {
      // 2.4 lots of A1 = 2,400 units = 240,000 < 250,000, and the plan claims no shortfall.
      const report = verifyPlan(book, request, {
        lines: [deliver('EX-1', 'A1', 'DTC', '2400')],
        shortfallByAccount: noShortfall,
      });
      expect(report.passed).toBe(false);
      expect(failedKinds(report).sort()).toEqual(['COVERAGE', 'LOT_SIZE']);
    });

    it('accepts a short plan when the shortfall is declared, and rejects it one unit under', () => {
      const lines = [deliver('EX-1', 'A1', 'DTC', '2000')];
      expect(
        verifyPlan(book, request, { lines, shortfallByAccount: new Map([['EX-1', dec(50000)]]) }).passed,
      ).toBe(true);
      const report = verifyPlan(book, request, {
        lines,
        shortfallByAccount: new Map([['EX-1', dec(49999)]]),
      });
      expect(failedKinds(report)).toEqual(['COVERAGE']);
    });

    it('rejects more than the holding has and a negative quantity', () => {
      const report = verifyPlan(book, request, {
        lines: [deliver('EX-1', 'A1', 'DTC', '11000'), deliver('EX-1', 'A2', 'DTC', '-1000')],
        shortfallByAccount: noShortfall,
      });
      expect(failedKinds(report)).toEqual(expect.arrayContaining(['INVENTORY', 'NON_NEGATIVE']));
    });
  });

  describe('on the concentration book (corporates at most 40% of collateral held)', () => {
    const fixture = loadFixture('concentration-binding.json');
    const book = fixtureBook(fixture);
    const request = fixtureRequest(fixture);
    const noShortfall = new Map([['CCP-1', ZERO]]);

    it('rejects all-corporate cover, which breaks the limit', () => {
      // 55,556 units x 100 x 0.9 = 5,000,040 of collateral value, all of it corporate.
      const report = verifyPlan(book, request, {
        lines: [deliver('CCP-1', 'ACME', 'DTC', '55556')],
        shortfallByAccount: noShortfall,
      });
      expect(failedKinds(report)).toEqual(['CONCENTRATION']);
    });

    it('rejects a holding the book does not have and an asset the account does not accept', () => {
      const ineligibleBook = {
        ...book,
        accounts: book.accounts.map((account) => ({
          ...account,
          eligibility: account.eligibility.slice(0, 1),
        })),
      };
      const report = verifyPlan(ineligibleBook, request, {
        lines: [deliver('CCP-1', 'UST', 'NOWHERE', '60000'), deliver('CCP-1', 'ACME', 'DTC', '1000')],
        shortfallByAccount: noShortfall,
      });
      expect(failedKinds(report)).toEqual(expect.arrayContaining(['INVENTORY', 'ELIGIBILITY']));
    });
  });

  describe('in REOPTIMIZE', () => {
    const fixture = loadFixture('reoptimize-substitution.json');
    const book = fixtureBook(fixture);
    const request = fixtureRequest(fixture);

    it('rejects keeping more than is posted and a return that does not match what leaves', () => {
      const keep: PlanLine = { ...deliver('PB-1', 'EQ', 'posted:PB-1', '12000'), movementType: 'KEEP' };
      const report = verifyPlan(book, request, { lines: [keep], shortfallByAccount: new Map() });
      expect(failedKinds(report)).toEqual(['POSTING']);
    });
  });
});
