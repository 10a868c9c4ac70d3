/** The batch CLI (`npm run optimize`): output formats and exit codes a script relies on. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { EXIT_INVALID_INPUT, EXIT_OK, EXIT_UNVERIFIED, runOptimizeCli } from '../../src/cli/optimize';
import type { SolveFunction } from '../../src/optimizer/optimizer.types';
import { DEMO_BOOK_FILE, readBookJson, SMALL_BOOK_FILE } from '../support/graphql-harness';

describe('npm run optimize', () => {
  it('prints a verified plan as a table and exits 0', async () => {
    const output = await runOptimizeCli(['--book', DEMO_BOOK_FILE]);
    expect(output.stderr).toBe('');
    expect(output.exitCode).toBe(EXIT_OK);
    expect(output.stdout).toMatch(/^status OPTIMAL {3}objective \d+\.\d{4} USD/);
    expect(output.stdout).toContain('verification passed');
    // The demo book's KfW issuer cap at the GS IM account binds (see test/data/demo-book.test.ts).
    expect(output.stdout).toMatch(
      /Binding concentration limits\n.*\n.*\ngs-umr-im +0 +10000000\.00 +10000000\.00/,
    );
  });

  it('prints the same result as JSON with decimals as strings', async () => {
    const output = await runOptimizeCli([
      '--book',
      SMALL_BOOK_FILE,
      '--format',
      'json',
      '--mode',
      'REOPTIMIZE',
    ]);
    expect(output.exitCode).toBe(EXIT_OK);
    const result = JSON.parse(output.stdout);
    expect(result.verification.passed).toBe(true);
    expect(typeof result.objective).toBe('string');
    expect(result.accounts.map((account: { accountId: string }) => account.accountId).sort()).toEqual([
      'DERIBIT',
      'LCH-IM',
    ]);
  });

  it('caps the unused alternatives listed per account with --unused-per-account', async () => {
    const output = await runOptimizeCli([
      '--book',
      DEMO_BOOK_FILE,
      '--format',
      'json',
      '--unused-per-account',
      '1',
    ]);
    expect(output.exitCode).toBe(EXIT_OK);
    const result = JSON.parse(output.stdout);
    const perAccount = new Map<string, number>();
    for (const unused of result.unusedAssets as { accountId: string }[]) {
      perAccount.set(unused.accountId, (perAccount.get(unused.accountId) ?? 0) + 1);
    }
    expect(Math.max(...perAccount.values())).toBe(1);
    expect(result.unusedAssetsOmitted).toBeGreaterThan(0);
  });

  it('exits 2 naming the path on an invalid book file', async () => {
    const book = readBookJson() as { accounts: { eligibility: { haircut: unknown }[] }[] };
    book.accounts[0]!.eligibility[0]!.haircut = 2;
    const file = path.join(tmpdir(), `bad-book-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(book));
    const output = await runOptimizeCli(['--book', file]);
    expect(output.exitCode).toBe(EXIT_INVALID_INPUT);
    expect(output.stderr).toContain('accounts[0].eligibility[0].haircut must be in [0,1)');
    expect(output.stdout).toBe('');
  });

  it('exits 2 on bad options', async () => {
    expect((await runOptimizeCli([])).stderr).toContain('--book <file> is required');
    const badMode = await runOptimizeCli(['--book', SMALL_BOOK_FILE, '--mode', 'SIDEWAYS']);
    expect(badMode.exitCode).toBe(EXIT_INVALID_INPUT);
    expect(badMode.stderr).toContain('options.mode must be one of TOP_UP, REOPTIMIZE');
    const badAccount = await runOptimizeCli(['--book', SMALL_BOOK_FILE, '--accounts', 'LCH-IM,NOPE']);
    expect(badAccount.stderr).toContain("options.accountIds[1] references unknown account 'NOPE'");
    expect((await runOptimizeCli(['--book', SMALL_BOOK_FILE, '--format', 'xml'])).exitCode).toBe(
      EXIT_INVALID_INPUT,
    );
  });

  it('exits 3 when no backend gives a plan that passes verification', async () => {
    // A backend that claims an "optimum" allocating far more than the desk holds: the
    // independent verifier must reject it from both backends.
    const lyingSolve: SolveFunction = async (model, backend) => ({
      backend,
      status: 'OPTIMAL',
      columnValues: new Float64Array(model.columnCount).fill(1e12),
      objectiveValue: 0,
      solveMs: 0,
    });
    const output = await runOptimizeCli(['--book', SMALL_BOOK_FILE], lyingSolve);
    expect(output.exitCode).toBe(EXIT_UNVERIFIED);
    expect(output.stderr).toMatch(/^No verified plan: UNVERIFIED/);
    expect(output.stdout).toContain('INVENTORY holding USD-CASH@JPM custody: allocated');
  });
});
