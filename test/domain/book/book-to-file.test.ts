import fc from 'fast-check';

import { validateBookShape } from '../../../src/domain/book/book-schema';
import { bookToFile } from '../../../src/domain/book/book-to-file';
import { parseBookFile } from '../../../src/domain/book/parse-book';
import { decimalToString } from '../../../src/domain/decimal';
import type { Book } from '../../../src/domain/model';
import { smallBook } from './book-fixtures';

describe('bookToFile', () => {
  const draft = parseBookFile(smallBook());

  it('round-trips: parsing the exported file gives the same book', () => {
    const exported = bookToFile(draft);
    expect(validateBookShape(exported)).toEqual([]);
    expect(parseBookFile(JSON.parse(JSON.stringify(exported)))).toEqual(draft);
  });

  it('writes decimals as strings and leaves defaults out', () => {
    const exported = bookToFile(draft);
    expect(exported.fxRates).toEqual({ USD: '1', EUR: '1.0825', USDT: '0.9998' });
    expect(exported.assets[3]).toEqual({
      id: 'BTC',
      name: 'Bitcoin',
      assetClass: 'CRYPTO',
      currency: 'USDT',
      issuer: 'Bitcoin network',
      price: '61250.5',
    });
    expect(exported.inventory[2]).toEqual({
      assetId: 'DBR-10Y',
      location: 'Euroclear',
      quantity: '20000000.05',
      fundingCostBps: '6.25',
    });
    expect(exported.accounts[1]).toEqual({
      id: 'DERIBIT',
      name: 'Deribit portfolio margin',
      counterparty: 'Deribit',
      kind: 'CRYPTO_VENUE',
      currency: 'USDT',
      requirement: {
        exposure: '2500000.5',
        independentAmount: '-100000',
        minimumTransferAmount: '10000',
        rounding: '1000',
      },
      eligibility: [
        { match: { assetId: 'BTC' }, haircut: '0.1' },
        { match: { assetClass: 'CASH' }, haircut: '0', fxHaircut: '0.02' },
        { match: { assetClass: 'GOVERNMENT_BOND' }, eligible: false },
      ],
      concentrationLimits: [
        { scope: 'ASSET', value: 'BTC', maxFraction: '0.75', basis: 'REQUIREMENT', maxValue: '5000000' },
      ],
    });
    expect(exported.accounts[0].requirement).toEqual({ exposure: '30000000' });
    expect(exported.accounts[0].posted).toEqual([{ assetId: 'UST-5Y', quantity: '10000000' }]);
  });

  it('drops entity versions of a stored book', () => {
    const stored: Book = {
      market: { ...draft.market, version: 4 },
      assets: draft.assets.map((asset) => ({ ...asset, version: 2 })),
      inventory: draft.inventory.map((holding) => ({ ...holding, version: 7 })),
      accounts: draft.accounts.map((account) => ({ ...account, version: 3 })),
    };
    expect(JSON.stringify(bookToFile(stored))).not.toContain('version');
    expect(parseBookFile(bookToFile(stored))).toEqual(draft);
  });

  it('keeps every digit of any decimal through export and re-import', () => {
    const decimalText = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.nat({ max: 12 }))
      .map(([negative, digits, scale]) => {
        const padded = digits.toString().padStart(scale + 1, '0');
        const whole = padded.slice(0, padded.length - scale);
        const fraction = padded.slice(padded.length - scale).replace(/0+$/, '');
        const plain = fraction ? `${whole}.${fraction}` : whole;
        return negative && plain !== '0' ? `-${plain}` : plain;
      });
    fc.assert(
      fc.property(decimalText, (exposure) => {
        const file = smallBook();
        file.accounts[0].requirement.exposure = exposure;
        const reparsed = parseBookFile(bookToFile(parseBookFile(file)));
        expect(decimalToString(reparsed.accounts[0].terms.exposure)).toBe(exposure);
      }),
      { numRuns: 200 },
    );
  });
});
