/** The hand-written small book, loaded fresh for each test so that mutations do not leak. */
import { readFileSync } from 'fs';
import { resolve } from 'path';

import { formatIssue } from '../../../src/domain/errors';

export const SMALL_BOOK_PATH = resolve(__dirname, '../../fixtures/books/small-book.json');

export type LooseJson = any;

export function smallBook(): LooseJson {
  return JSON.parse(readFileSync(SMALL_BOOK_PATH, 'utf8'));
}

/** The issues a call throws, formatted as users read them; fails the test if nothing is thrown. */
export function thrownIssues(call: () => unknown): string[] {
  try {
    call();
  } catch (error) {
    const issues = (error as { issues?: readonly { path: string; message: string }[] }).issues;
    if (!issues) throw error;
    return issues.map(formatIssue);
  }
  throw new Error('expected a ValidationError, but the call succeeded');
}
