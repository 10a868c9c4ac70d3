/**
 * The service runs compiled JavaScript, where the pool starts dist/.../solver.worker.js rather
 * than the TypeScript bootstrap used under jest. Compile the solver folder into a temporary
 * directory (no .ts files there, so the bootstrap cannot be the one that works) and solve
 * through the pool in a plain node process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');

describe('SolverPool from compiled JavaScript', () => {
  let outDir: string;
  beforeAll(() => {
    outDir = mkdtempSync(path.join(tmpdir(), 'solver-pool-'));
    execFileSync(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules/typescript/bin/tsc'),
        '--outDir',
        outDir,
        '--rootDir',
        path.join(repoRoot, 'src'),
        '--module',
        'commonjs',
        '--target',
        'ES2022',
        '--esModuleInterop',
        '--skipLibCheck',
        '--strict',
        '--types',
        'node',
        path.join(repoRoot, 'src/optimizer/solvers/solver-pool.ts'),
        path.join(repoRoot, 'src/optimizer/solvers/solver.worker.ts'),
      ],
      { cwd: repoRoot },
    );
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  }, 60_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('solves in a worker started from solver.worker.js', () => {
    const script = path.join(outDir, 'run.js');
    writeFileSync(
      script,
      `
      const { SolverPool } = require('./optimizer/solvers/solver-pool.js');
      const pool = new SolverPool({ size: 1 });
      const model = {
        columnCount: 2, rowCount: 1,
        objective: Float64Array.of(2, 3),
        columnLower: Float64Array.of(0, 0), columnUpper: Float64Array.of(6, Infinity),
        integrality: Uint8Array.of(0, 0),
        rowLower: Float64Array.of(10), rowUpper: Float64Array.of(Infinity),
        columnStart: Int32Array.of(0, 1, 2), rowIndex: Int32Array.of(0, 0), value: Float64Array.of(1, 1),
      };
      Promise.all([
        pool.solve(model, 'HIGHS', { timeLimitMs: 5000 }),
        pool.solve(model, 'JS_LP_SOLVER', { timeLimitMs: 5000 }),
      ]).then(async (results) => {
        await pool.close();
        console.log(JSON.stringify(results.map((r) => [r.status, r.objectiveValue, Array.from(r.columnValues)])));
      });
      `,
    );
    const output = execFileSync(process.execPath, [script], {
      cwd: outDir,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(JSON.parse(output)).toEqual([
      ['OPTIMAL', 24, [6, 4]],
      ['OPTIMAL', 24, [6, 4]],
    ]);
  }, 30_000);
});
