/**
 * Reads a book file from disk (seed data, CLI). Every failure is a ValidationError whose message
 * starts with the file name, so a desk can tell which file to fix.
 *
 * The book's `scenarios` and `priceHistory` sections can come from files of their own
 * (SCENARIOS_FILE, PRICE_HISTORY_FILE; the demo ships both): a file fills its section only when
 * the book file has none, and is then validated exactly as that section would be.
 */
import { readFile } from 'fs/promises';

import type { BookDraft } from '../../store/store.port';
import { type FieldIssue, ValidationError } from '../errors';
import { parseBookFile } from './parse-book';

export interface SectionFiles {
  /** JSON `{ "<assetId>": [{ "date", "price" }] }`, oldest first: the book file's `priceHistory`. */
  readonly priceHistoryFile?: string;
  /** JSON `[{ name, description, priceShocks, fxShocks, haircutMultipliers }]`: the book file's `scenarios`. */
  readonly scenariosFile?: string;
}

export async function loadBookFile(filePath: string, sectionFiles: SectionFiles = {}): Promise<BookDraft> {
  const json = await readJsonFile(filePath, `book file ${filePath}`);
  const sources = [filePath];
  if (isRecord(json)) {
    const fill = async (section: 'priceHistory' | 'scenarios', file: string | undefined): Promise<void> => {
      if (file === undefined || json[section] !== undefined) return;
      json[section] = await readJsonFile(file, `${section} file ${file}`);
      sources.push(file);
    };
    await fill('priceHistory', sectionFiles.priceHistoryFile);
    await fill('scenarios', sectionFiles.scenariosFile);
  }
  try {
    return parseBookFile(json);
  } catch (error) {
    if (error instanceof ValidationError) {
      const subject =
        sources.length === 1
          ? `book file ${filePath}`
          : `book file ${filePath} (with ${sources.slice(1).join(', ')})`;
      throw new ValidationError(error.issues, subject);
    }
    throw error;
  }
}

async function readJsonFile(filePath: string, subject: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : errorMessage(error);
    throw new ValidationError([{ path: '', message: `cannot be read: ${reason}` }], subject);
  }
  try {
    // Editors on some systems save UTF-8 with a byte order mark, which JSON.parse rejects.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ValidationError([jsonSyntaxIssue(text, errorMessage(error))], subject);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds the line and column (1-based) when the parser reports a character position. */
function jsonSyntaxIssue(text: string, parserMessage: string): FieldIssue {
  const position = /at position (\d+)/.exec(parserMessage);
  if (!position) return { path: '', message: `is not valid JSON: ${parserMessage}` };
  const offset = Number(position[1]);
  const before = text.replace(/^\uFEFF/, '').slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { path: '', message: `is not valid JSON at line ${line}, column ${column}: ${parserMessage}` };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
