/**
 * Puts a book into the store at start-up. The in-memory store always starts from the book
 * file. MongoDB is seeded from it only when the database is empty; an existing book is kept,
 * since it holds the desk's live state (replace it with the importBook mutation).
 *
 * The book's named scenarios and price histories are stored with it, in the same replaceBook:
 * the book file's own sections, else PRICE_HISTORY_FILE / SCENARIOS_FILE, else (demo book only)
 * the demo's data/demo-price-history.json and data/demo-scenarios.json.
 */
import type { Config } from '../config/config';
import { DEMO_PRICE_HISTORY_FILE, DEMO_SCENARIOS_FILE } from '../config/config';
import { loadBookFile, type SectionFiles } from '../domain/book/load-book-file';
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
  const book = await store.replaceBook(await loadBookFile(config.bookFile, sectionFiles(config)));
  return {
    origin: 'file',
    description: `${label} (${book.assets.length} assets, ${book.inventory.length} holdings, ${book.accounts.length} accounts)`,
  };
}

/** The configured section file, else the demo's own when the demo book is used, else none. */
function sectionFiles(config: Config): SectionFiles {
  const pick = (configured: string | undefined, demoFile: string): string | undefined =>
    configured ?? (config.bookFileIsDemo ? demoFile : undefined);
  const priceHistoryFile = pick(config.priceHistoryFile, DEMO_PRICE_HISTORY_FILE);
  const scenariosFile = pick(config.scenariosFile, DEMO_SCENARIOS_FILE);
  return {
    ...(priceHistoryFile !== undefined ? { priceHistoryFile } : {}),
    ...(scenariosFile !== undefined ? { scenariosFile } : {}),
  };
}
