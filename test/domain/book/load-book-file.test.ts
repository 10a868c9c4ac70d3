import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { loadBookFile } from '../../../src/domain/book/load-book-file';
import { ValidationError } from '../../../src/domain/errors';
import { SMALL_BOOK_PATH, smallBook } from './book-fixtures';

describe('loadBookFile', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'book-file-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('loads and parses a valid book file', async () => {
    const book = await loadBookFile(SMALL_BOOK_PATH);
    expect(book.assets).toHaveLength(4);
    expect(book.accounts.map((account) => account.id)).toEqual(['LCH-IM', 'DERIBIT']);
  });

  it('names a missing file', async () => {
    const missing = join(directory, 'missing.json');
    const loading = loadBookFile(missing);
    await expect(loading).rejects.toBeInstanceOf(ValidationError);
    await expect(loadBookFile(missing)).rejects.toThrow(
      `Invalid book file ${missing}: cannot be read: does not exist`,
    );
  });

  it('names the file, line and column of a JSON syntax error', async () => {
    const broken = join(directory, 'broken.json');
    // The trailing comma leaves the closing brace at offset 27: line 3, column 1.
    writeFileSync(broken, '{\n  "baseCurrency": "USD",\n}\n');
    await expect(loadBookFile(broken)).rejects.toThrow(
      `Invalid book file ${broken}: is not valid JSON at line 3, column 1: `,
    );
  });

  it('accepts a byte order mark', async () => {
    const withBom = join(directory, 'bom.json');
    writeFileSync(withBom, `\uFEFF${JSON.stringify(smallBook())}`);
    expect((await loadBookFile(withBom)).market.baseCurrency).toBe('USD');
  });

  it('prefixes validation issues with the file name and keeps their paths', async () => {
    const file = smallBook();
    file.inventory[3].assetId = 'UST-2Y';
    const invalid = join(directory, 'invalid.json');
    writeFileSync(invalid, JSON.stringify(file));
    const failure = await loadBookFile(invalid).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).message).toBe(
      `Invalid book file ${invalid}: inventory[3].assetId references unknown asset 'UST-2Y'`,
    );
    expect((failure as ValidationError).issues).toEqual([
      { path: 'inventory[3].assetId', message: "references unknown asset 'UST-2Y'" },
    ]);
  });
});
