/**
 * Domain book -> book file, for `exportBook` and the CLI. Decimals are written as decimal
 * strings so that no digit is lost, and fields at their default are left out, so that
 * parseBookFile(bookToFile(book)) gives the book back.
 */
import type { AccountDraft, AssetDraft, BookDraft, HoldingDraft, PriceHistory } from '../../store/store.port';
import { type Decimal, decimalToString } from '../decimal';
import type {
  Account,
  Asset,
  Book,
  ConcentrationLimit,
  EligibilityRule,
  Holding,
  MarginTerms,
} from '../model';
import type {
  AccountFile,
  AssetFile,
  BookFile,
  ConcentrationLimitFile,
  EligibilityRuleFile,
  HoldingFile,
  PricePointFile,
  RequirementFile,
  ScenarioFile,
} from './book-file';
import { copyMatch } from './copy-match';

export function bookToFile(book: Book | BookDraft): BookFile {
  const fxRates: Record<string, string> = {};
  for (const [currency, rate] of book.market.fxRates) fxRates[currency] = decimalToString(rate);
  return {
    baseCurrency: book.market.baseCurrency,
    ...(book.market.asOfDate !== undefined ? { asOfDate: book.market.asOfDate } : {}),
    fxRates,
    assets: book.assets.map(assetToFile),
    inventory: book.inventory.map(holdingToFile),
    accounts: book.accounts.map(accountToFile),
    ...('scenarios' in book && book.scenarios !== undefined
      ? { scenarios: book.scenarios.map(scenarioToFile) }
      : {}),
    ...('priceHistories' in book && book.priceHistories !== undefined
      ? { priceHistory: priceHistoryToFile(book.priceHistories) }
      : {}),
  };
}

type ScenarioDraft = NonNullable<BookDraft['scenarios']>[number];

/** Every list written out, empty ones too, so an exported scenario reads complete; an empty description is left out. */
export function scenarioToFile(scenario: ScenarioDraft): ScenarioFile {
  return {
    name: scenario.name,
    ...(scenario.description !== '' ? { description: scenario.description } : {}),
    priceShocks: scenario.priceShocks.map((shock) => ({
      scope: shock.scope,
      value: shock.value,
      shock: decimalToString(shock.shock),
    })),
    fxShocks: scenario.fxShocks.map((shock) => ({
      currency: shock.currency,
      shock: decimalToString(shock.shock),
    })),
    haircutMultipliers: scenario.haircutMultipliers.map((multiplier) => ({
      scope: multiplier.scope,
      value: multiplier.value,
      multiplier: decimalToString(multiplier.multiplier),
    })),
  };
}

export function priceHistoryToFile(histories: readonly PriceHistory[]): Record<string, PricePointFile[]> {
  return Object.fromEntries(
    histories.map((history) => [
      history.assetId,
      history.points.map((point) => ({ date: point.date, price: decimalToString(point.price) })),
    ]),
  );
}

export function assetToFile(asset: Asset | AssetDraft): AssetFile {
  return {
    id: asset.id,
    name: asset.name,
    assetClass: asset.assetClass,
    currency: asset.currency,
    issuer: asset.issuer,
    ...(asset.rating !== undefined ? { rating: asset.rating } : {}),
    ...(asset.creditQualityStep !== undefined ? { creditQualityStep: asset.creditQualityStep } : {}),
    ...(asset.maturityDate !== undefined ? { maturityDate: asset.maturityDate } : {}),
    price: decimalToString(asset.price),
    ...(asset.lotSize !== undefined ? { lotSize: decimalToString(asset.lotSize) } : {}),
  };
}

export function holdingToFile(holding: Holding | HoldingDraft): HoldingFile {
  return {
    assetId: holding.assetId,
    location: holding.location,
    quantity: decimalToString(holding.quantity),
    fundingCostBps: decimalToString(holding.fundingCostBps),
  };
}

export function accountToFile(account: Account | AccountDraft): AccountFile {
  return {
    id: account.id,
    name: account.name,
    counterparty: account.counterparty,
    kind: account.kind,
    currency: account.currency,
    requirement: termsToFile(account.terms),
    eligibility: account.eligibility.map(ruleToFile),
    ...(account.concentrationLimits.length > 0
      ? { concentrationLimits: account.concentrationLimits.map(limitToFile) }
      : {}),
    ...(account.posted.length > 0
      ? {
          posted: account.posted.map((posting) => ({
            assetId: posting.assetId,
            quantity: decimalToString(posting.quantity),
          })),
        }
      : {}),
    ...(account.liquidationTrigger !== undefined
      ? {
          liquidationTrigger: {
            kind: account.liquidationTrigger.kind,
            threshold: decimalToString(account.liquidationTrigger.threshold),
          },
        }
      : {}),
  };
}

/** Optional amounts at their default of 0 are left out. */
export function termsToFile(terms: MarginTerms): RequirementFile {
  const optional = (amount: Decimal): string | undefined =>
    amount.isZero() ? undefined : decimalToString(amount);
  const independentAmount = optional(terms.independentAmount);
  const threshold = optional(terms.threshold);
  const minimumTransferAmount = optional(terms.minimumTransferAmount);
  const rounding = optional(terms.rounding);
  return {
    exposure: decimalToString(terms.exposure),
    ...(independentAmount !== undefined ? { independentAmount } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(minimumTransferAmount !== undefined ? { minimumTransferAmount } : {}),
    ...(rounding !== undefined ? { rounding } : {}),
  };
}

/** An exclusion with a zero haircut is written without one: the file format needs none there. */
function ruleToFile(rule: EligibilityRule): EligibilityRuleFile {
  const writeHaircut = rule.eligible || !rule.haircut.isZero();
  return {
    match: copyMatch(rule.match),
    ...(rule.eligible ? {} : { eligible: false }),
    ...(writeHaircut ? { haircut: decimalToString(rule.haircut) } : {}),
    ...(rule.fxHaircut !== undefined ? { fxHaircut: decimalToString(rule.fxHaircut) } : {}),
  };
}

function limitToFile(limit: ConcentrationLimit): ConcentrationLimitFile {
  return {
    scope: limit.scope,
    value: limit.value,
    ...(limit.maxFraction !== undefined ? { maxFraction: decimalToString(limit.maxFraction) } : {}),
    basis: limit.basis,
    ...(limit.maxValue !== undefined ? { maxValue: decimalToString(limit.maxValue) } : {}),
  };
}
