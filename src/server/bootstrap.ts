/**
 * Puts a book into the store at start-up. The in-memory store always starts from the book
 * file. MongoDB is seeded from it only when the database is empty; an existing book is kept,
 * since it holds the desk's live state (replace it with the importBook mutation).
 */
import type { Config } from '../config/config';
import { loadBookFile } from '../domain/book/load-book-file';
import type { CollateralStore } from '../store/store.port';
import type { Logger } from './logger';

export interface BookSource {
  readonly origin: 'file' | 'existing-database';
  readonly description: string;
}

export async function loadInitialBook(
  store: CollateralStore,
  config: Config,
  logger: Logger,
): Promise<BookSource> {
  const label = config.bookFileIsDemo ? `demo book ${config.bookFile}` : `book file ${config.bookFile}`;
  if (store.kind === 'mongodb' && !(await store.isEmpty())) {
    if (!config.bookFileIsDemo) {
      logger.warn({ bookFile: config.bookFile }, 'BOOK_FILE ignored: the database already holds a book');
    }
    return { origin: 'existing-database', description: 'existing book in MongoDB' };
  }
  const book = await store.replaceBook(await loadBookFile(config.bookFile));
  return {
    origin: 'file',
    description: `${label} (${book.assets.length} assets, ${book.inventory.length} holdings, ${book.accounts.length} accounts)`,
  };
}
