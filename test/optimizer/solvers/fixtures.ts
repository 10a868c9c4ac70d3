/**
 * Hand-solved models shared by the backend tests. Each expected answer was worked out on
 * paper (or with exact fractions) and is written here, not computed by the code under test.
 */
import { linearModel } from './model-factory';

/** min 2x + 3y  s.t.  x + y >= 10,  0 <= x <= 6,  y >= 0.  Optimum x = 6, y = 4, cost 24. */
export const coverageLp = linearModel({
  objective: [2, 3],
  rows: [{ coefficients: [1, 1], lower: 10 }],
  columnUpper: [6, Infinity],
});

/** Same rows with x <= 3, y <= 3: x + y can reach only 6 < 10. */
export const infeasibleLp = linearModel({
  objective: [2, 3],
  rows: [{ coefficients: [1, 1], lower: 10 }],
  columnUpper: [3, 3],
});

/**
 * Lot-size MIP: lots of asset A are worth 242,500 after haircut and cost 121.25 (5 bps), lots
 * of B 480,000 and 480 (10 bps); at most 4 lots of A; cover 1,000,000.
 * Enumerating: (4,0) covers 970,000 only; (3,1) covers 1,207,500 at 843.75, cheaper than
 * (4,1) 965, (1,2) 1,081.25, (2,2) 1,202.5, (0,3) 1,440. The LP relaxation (4, 0.0625) costs
 * 515, so rounding it does not give the optimum.
 */
export const lotSizeMip = linearModel({
  objective: [121.25, 480],
  rows: [{ coefficients: [242_500, 480_000], lower: 1_000_000 }],
  columnUpper: [4, Infinity],
  integer: [true, true],
});

/**
 * Values in the hundreds of millions next to costs in basis points:
 * min 0.00035 a + 0.0002 b  s.t.  0.98 a + 0.85 b >= 123,456,789.5,  b <= 120,000,000.
 * B is cheaper per covered unit (0.0002 / 0.85 < 0.00035 / 0.98), so b = 120,000,000 and
 * a = (123,456,789.5 - 102,000,000) / 0.98 = 21,894,683.163265306..., cost 31,663.139107142857.
 * Coverage dual 0.00035 / 0.98 = 0.000357142857142857; reduced cost of b
 * 0.0002 - 0.85 * 0.000357142857 = -0.000103571428571429.
 */
export const wideRangeLp = linearModel({
  objective: [0.00035, 0.0002],
  rows: [{ coefficients: [0.98, 0.85], lower: 123_456_789.5 }],
  columnUpper: [Infinity, 120_000_000],
});
