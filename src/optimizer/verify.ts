/**
 * Independent check of a plan against the book: it reads the Book, the request and the plan
 * lines, never the LinearModel, and recomputes every value with the domain functions in Decimal.
 * A backend answer that fails here is never returned as a valid plan.
 *
 * Tolerances: coverage passes within COVERAGE_RELATIVE_TOLERANCE x max(1, target) in the account
 * currency (1e-6 relative: one unit per million); a concentration limit within the same share of
 * max(1, cap, target), since a solver's accuracy follows the size of the account, not of one
 * limit's cap. Inventory, postings and lot counts are exact (plan.ts rounds so they can be).
 */
import type { ConcentrationLine, ConcentrationUsage } from '../domain/concentration';
import { concentrationLinesOfPostings, concentrationUsage, limitApplies } from '../domain/concentration';
import type { Decimal } from '../domain/decimal';
import { maxDecimal, ONE, sum, ZERO } from '../domain/decimal';
import { appliedHaircut, selectRule } from '../domain/eligibility';
import type { Account, Asset, Book } from '../domain/model';
import { holdingKey } from '../domain/model';
import { collateralValue } from '../domain/valuation';
import type { AccountTarget } from './account-targets';
import { accountTargets, assetsById } from './account-targets';
import type { OptimizeRequest, PlanLine, VerificationCheck, VerificationReport } from './optimizer.types';
import { postedLocation } from './optimizer.types';

export const COVERAGE_RELATIVE_TOLERANCE = 1e-6;

export function coverageTolerance(amount: Decimal): Decimal {
  const magnitude = amount.abs();
  return (magnitude.greaterThan(ONE) ? magnitude : ONE).times(COVERAGE_RELATIVE_TOLERANCE);
}

export interface PlanToVerify {
  readonly lines: readonly PlanLine[];
  /** Shortfall the plan admits per account, account currency; absent means none. */
  readonly shortfallByAccount: ReadonlyMap<string, Decimal>;
}

interface ValuedLine {
  readonly line: PlanLine;
  readonly asset: Asset;
  readonly collateralValue: Decimal;
}

/**
 * What verification reads from the book alone, whatever the plan: the assets, the accounts'
 * targets, the free inventory and (TOP_UP) each account's postings valued for its limits. Made by
 * the verifier's own code; optimize makes it while the solve runs in a worker.
 */
export interface VerificationContext {
  readonly assets: ReadonlyMap<string, Asset>;
  readonly targets: readonly AccountTarget[];
  readonly targetsById: ReadonlyMap<string, AccountTarget>;
  /** Free quantity by holding key. */
  readonly held: ReadonlyMap<string, Decimal>;
  /** TOP_UP: per account id, its postings valued for concentration, and their usage of its limits. */
  readonly posted: ReadonlyMap<string, PostedConcentration>;
}

interface PostedConcentration {
  readonly lines: readonly ConcentrationLine[];
  readonly usage: readonly ConcentrationUsage[] | undefined;
}

export function prepareVerification(book: Book, request: OptimizeRequest): VerificationContext {
  const assets = assetsById(book);
  const targets = accountTargets(book, request);
  const held = new Map<string, Decimal>();
  for (const holding of book.inventory) {
    const key = holdingKey(holding);
    held.set(key, (held.get(key) ?? ZERO).plus(holding.quantity));
  }
  const posted = new Map<string, PostedConcentration>();
  if (request.mode === 'TOP_UP') {
    for (const target of targets) {
      if (!target.inModel) continue;
      const account = target.account;
      const lines = concentrationLinesOfPostings(
        account,
        account.posted,
        assets,
        book.market.fxRates,
        request.asOfDate,
      );
      posted.set(account.id, {
        lines,
        usage: lines.length === 0 ? undefined : concentrationUsage(account, lines, target.requirement),
      });
    }
  }
  return {
    assets,
    targets,
    targetsById: new Map(targets.map((target) => [target.account.id, target])),
    held,
    posted,
  };
}

export function verifyPlan(
  book: Book,
  request: OptimizeRequest,
  plan: PlanToVerify,
  context: VerificationContext = prepareVerification(book, request),
): VerificationReport {
  const { assets, targets, targetsById } = context;
  const checks: VerificationCheck[] = [];
  const valued = new Map<string, ValuedLine[]>();

  plan.lines.forEach((line, index) => {
    const subject = `line ${index} (${line.movementType} ${line.assetId} ${line.location} -> ${line.accountId})`;
    const asset = assets.get(line.assetId);
    const target = targetsById.get(line.accountId);
    if (asset === undefined || target === undefined) {
      checks.push({
        kind: 'ELIGIBILITY',
        subject,
        passed: false,
        detail: 'unknown asset or account not in the request',
      });
      return;
    }
    checks.push({
      kind: 'NON_NEGATIVE',
      subject,
      passed: line.quantity.greaterThanOrEqualTo(ZERO),
      detail: `quantity ${line.quantity.toFixed()}`,
    });
    if (line.movementType === 'RETURN') return;
    if (request.mode === 'TOP_UP' && line.movementType === 'KEEP') return;
    const selection = selectRule(target.account, asset, request.asOfDate);
    const eligible = selection !== undefined && selection.rule.eligible;
    checks.push({
      kind: 'ELIGIBILITY',
      subject,
      passed: eligible,
      detail: eligible ? `rule ${selection.index}` : 'no eligible rule for this asset at this account',
    });
    if (!eligible) return;
    if (
      line.movementType === 'DELIVER' &&
      request.lotMode &&
      asset.lotSize !== undefined &&
      asset.lotSize.greaterThan(0)
    ) {
      const lots = line.quantity.dividedBy(asset.lotSize);
      checks.push({
        kind: 'LOT_SIZE',
        subject,
        passed: lots.isInteger(),
        detail: `${lots.toFixed()} lots of ${asset.lotSize.toFixed()}`,
      });
    }
    const haircut = appliedHaircut(selection.rule, asset, target.account);
    const value = collateralValue(
      asset,
      line.quantity,
      haircut,
      book.market.fxRates,
      target.account.currency,
    );
    const list = valued.get(target.account.id) ?? [];
    list.push({ line, asset, collateralValue: value });
    valued.set(target.account.id, list);
  });

  checks.push(...inventoryChecks(context.held, plan.lines));
  if (request.mode === 'REOPTIMIZE') checks.push(...postingChecks(targets, plan.lines));
  else checks.push(...postingMovesForbidden(plan.lines));

  if (request.maxMovements !== undefined) checks.push(movementCheck(request.maxMovements, plan.lines));

  for (const target of targets) {
    if (!target.inModel) continue;
    const lines = valued.get(target.account.id) ?? [];
    checks.push(
      coverageCheck(request, target, lines, plan.shortfallByAccount.get(target.account.id) ?? ZERO),
    );
    checks.push(...concentrationChecks(request, target, lines, context.posted.get(target.account.id)));
  }
  return { passed: checks.every((check) => check.passed), checks };
}

/** A movement is a delivery line, or the return of one posting (however many places it goes to). */
function movementCheck(maxMovements: number, lines: readonly PlanLine[]): VerificationCheck {
  const movements = lines.filter(
    (line) => line.movementType === 'DELIVER' || line.movementType === 'RETURN',
  ).length;
  return {
    kind: 'MOVEMENTS',
    subject: 'plan',
    passed: movements <= maxMovements,
    detail: `${movements} movements, at most ${maxMovements}`,
  };
}

function inventoryChecks(
  held: ReadonlyMap<string, Decimal>,
  lines: readonly PlanLine[],
): VerificationCheck[] {
  const used = new Map<string, Decimal>();
  for (const line of lines) {
    if (line.movementType !== 'DELIVER' || line.location.startsWith('posted:')) continue;
    const key = holdingKey(line);
    used.set(key, (used.get(key) ?? ZERO).plus(line.quantity));
  }
  return [...used].map(([key, quantity]) => {
    const free = held.get(key) ?? ZERO;
    return {
      kind: 'INVENTORY' as const,
      subject: `holding ${key}`,
      passed: quantity.lessThanOrEqualTo(free),
      detail: `allocated ${quantity.toFixed()} of ${free.toFixed()} free`,
    };
  });
}

/** REOPTIMIZE: what stays plus what moves on from an account is at most what it holds, and the rest is returned. */
function postingChecks(targets: readonly AccountTarget[], lines: readonly PlanLine[]): VerificationCheck[] {
  const checks: VerificationCheck[] = [];
  for (const line of lines) {
    if (line.movementType === 'KEEP' && line.location !== postedLocation(line.accountId)) {
      checks.push({
        kind: 'POSTING',
        subject: `${line.assetId} at ${line.accountId}`,
        passed: false,
        detail: `KEEP line from ${line.location}, not from the account's own postings`,
      });
    }
  }
  for (const target of targets) {
    const account = target.account;
    const location = postedLocation(account.id);
    const postedByAsset = new Map<string, Decimal>();
    for (const posting of account.posted) {
      postedByAsset.set(posting.assetId, (postedByAsset.get(posting.assetId) ?? ZERO).plus(posting.quantity));
    }
    const assetIds = new Set([
      ...postedByAsset.keys(),
      ...lines.filter((line) => line.location === location).map((line) => line.assetId),
    ]);
    for (const assetId of assetIds) {
      const posted = postedByAsset.get(assetId) ?? ZERO;
      const from = lines.filter((line) => line.location === location && line.assetId === assetId);
      const total = (type: PlanLine['movementType']): Decimal =>
        sum(from.filter((line) => line.movementType === type).map((line) => line.quantity));
      const kept = total('KEEP');
      const movedOn = total('DELIVER');
      const returned = total('RETURN');
      const passed = kept.plus(movedOn).lessThanOrEqualTo(posted) && returned.equals(posted.minus(kept));
      checks.push({
        kind: 'POSTING',
        subject: `${assetId} at ${account.id}`,
        passed,
        detail: `posted ${posted.toFixed()}, kept ${kept.toFixed()}, moved on ${movedOn.toFixed()}, returned ${returned.toFixed()}`,
      });
    }
  }
  return checks;
}

function postingMovesForbidden(lines: readonly PlanLine[]): VerificationCheck[] {
  return lines
    .filter(
      (line) =>
        line.movementType === 'RETURN' ||
        (line.movementType === 'DELIVER' && line.location.startsWith('posted:')),
    )
    .map((line) => ({
      kind: 'POSTING' as const,
      subject: `${line.assetId} at ${line.accountId}`,
      passed: false,
      detail: 'TOP_UP never returns or moves posted collateral',
    }));
}

/** Collateral the account holds after the plan: TOP_UP keeps today's postings, REOPTIMIZE counts KEEP lines. */
function linesAfter(request: OptimizeRequest, lines: readonly ValuedLine[]): ValuedLine[] {
  return lines.filter(
    (item) =>
      item.line.movementType === 'DELIVER' ||
      (request.mode === 'REOPTIMIZE' && item.line.movementType === 'KEEP'),
  );
}

function coverageCheck(
  request: OptimizeRequest,
  target: AccountTarget,
  lines: readonly ValuedLine[],
  declaredShortfall: Decimal,
): VerificationCheck {
  const base = request.mode === 'TOP_UP' ? target.postedCollateralValue : ZERO;
  const after = base.plus(sum(linesAfter(request, lines).map((item) => item.collateralValue)));
  const missing = target.target.minus(after).minus(declaredShortfall);
  return {
    kind: 'COVERAGE',
    subject: `account ${target.account.id}`,
    passed:
      missing.lessThanOrEqualTo(coverageTolerance(target.target)) &&
      declaredShortfall.greaterThanOrEqualTo(ZERO),
    detail: `collateral value ${after.toFixed()} + declared shortfall ${declaredShortfall.toFixed()} vs target ${target.target.toFixed()} ${target.account.currency}`,
  };
}

function concentrationChecks(
  request: OptimizeRequest,
  target: AccountTarget,
  lines: readonly ValuedLine[],
  posted: PostedConcentration | undefined,
): VerificationCheck[] {
  const account: Account = target.account;
  const newLines = linesAfter(request, lines).map((item) => ({
    asset: item.asset,
    collateralValue: item.collateralValue,
  }));
  const postedLines = posted?.lines ?? [];
  const postedUsage = posted?.usage;
  const totalUsage = concentrationUsage(account, [...postedLines, ...newLines], target.requirement);
  const checks: VerificationCheck[] = [];
  // Limits whose group holds nothing pass whenever their cap is not negative: one check for all of
  // them, so an account with an issuer limit per issuer does not get thousands of lines.
  const emptyGroups: number[] = [];
  // A loop, with no closure made per limit: an account has a limit per issuer, and most of them
  // only join the one check for empty groups below.
  const limits = account.concentrationLimits;
  for (let index = 0; index < limits.length; index += 1) {
    const limit = limits[index];
    if (postedUsage?.[index].breached === true) {
      const delivered = sum(
        newLines.filter((line) => limitApplies(limit, line.asset)).map((line) => line.collateralValue),
      );
      checks.push({
        kind: 'CONCENTRATION' as const,
        subject: limitSubject(account, index),
        passed: delivered.lessThanOrEqualTo(coverageTolerance(target.target)),
        detail: `already breached by postings; delivered into the group ${delivered.toFixed()}`,
      });
      continue;
    }
    const usage = totalUsage[index];
    if (usage.value.isZero()) {
      emptyGroups.push(index);
      continue;
    }
    const cap = usage.cap ?? ZERO;
    // Within the cap passes whatever the tolerance (never negative), so it is worked out only above.
    const passed =
      usage.value.lessThanOrEqualTo(cap) ||
      usage.value.minus(cap).lessThanOrEqualTo(coverageTolerance(maxDecimal(cap, target.target)));
    checks.push({
      kind: 'CONCENTRATION' as const,
      subject: limitSubject(account, index),
      passed,
      detail: `value ${usage.value.toFixed()} vs cap ${cap.toFixed()} ${account.currency}`,
    });
  }
  if (emptyGroups.length > 0) {
    // An empty group breaches its limit only where the cap is below 0 (concentration.ts finds that from signs).
    const negative = emptyGroups.filter((index) => totalUsage[index].breached);
    checks.push({
      kind: 'CONCENTRATION' as const,
      subject: `account ${account.id}: ${emptyGroups.length} limit(s) with no collateral in their group`,
      passed: negative.length === 0,
      detail:
        negative.length === 0
          ? `value 0 within every cap (limits ${summariseIndexes(emptyGroups)})`
          : `negative cap at limits ${summariseIndexes(negative)}`,
    });
  }
  return checks;
}

function limitSubject(account: Account, index: number): string {
  const limit = account.concentrationLimits[index];
  return `account ${account.id} limit ${index} (${limit.scope} ${limit.value})`;
}

/** "0-3, 7, 9-12": limit positions, compactly. */
function summariseIndexes(indexes: readonly number[]): string {
  const parts: string[] = [];
  let start = 0;
  for (let position = 1; position <= indexes.length; position += 1) {
    if (position < indexes.length && indexes[position] === indexes[position - 1] + 1) continue;
    const first = indexes[start];
    const last = indexes[position - 1];
    parts.push(first === last ? `${first}` : `${first}-${last}`);
    start = position;
  }
  return parts.join(', ');
}
