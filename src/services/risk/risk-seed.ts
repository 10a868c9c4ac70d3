/**
 * Start-up seed for the risk service: named scenarios and daily price histories, read from JSON
 * files. Price history file: { "<assetId>": [{ "date": "YYYY-MM-DD", "price": "<decimal>" }, ...] },
 * oldest first. Scenarios file: [{ name, description, priceShocks, fxShocks, haircutMultipliers }],
 * as the saveScenario mutation takes them. A book file's own `priceHistory` and `scenarios`
 * sections (schema/book.schema.json) take precedence over these files. The risk service validates
 * both when it starts.
 */
import { readFile } from 'node:fs/promises';

import type { BookFile } from '../../domain/book/book-file';
import type { PricePointData, RiskSeed, ScenarioData } from '../risk.service';

export interface RiskSeedFiles {
  /** The book file, read for its optional priceHistory and scenarios sections. */
  readonly bookFile?: string;
  readonly priceHistoryFile?: string;
  readonly scenariosFile?: string;
}

export async function loadRiskSeed(files: RiskSeedFiles): Promise<RiskSeed> {
  const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8'));
  const book = files.bookFile === undefined ? {} : ((await readJson(files.bookFile)) as Partial<BookFile>);
  const priceHistory =
    (book.priceHistory as Record<string, PricePointData[]> | undefined) ??
    (files.priceHistoryFile === undefined
      ? undefined
      : ((await readJson(files.priceHistoryFile)) as Record<string, PricePointData[]>));
  const scenarios =
    (book.scenarios as ScenarioData[] | undefined) ??
    (files.scenariosFile === undefined
      ? undefined
      : ((await readJson(files.scenariosFile)) as ScenarioData[]));
  return {
    ...(priceHistory !== undefined ? { priceHistory } : {}),
    ...(scenarios !== undefined ? { scenarios } : {}),
  };
}
