/**
 * Domain book -> book file, for `exportBook` and the CLI. Decimals are written as decimal
 * strings so that no digit is lost, and fields at their default are left out, so that
 * parseBookFile(bookToFile(book)) gives the book back.
 */
import type { AccountDraft, AssetDraft, BookDraft, HoldingDraft } from '../../store/store.port';
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
  RequirementFile,
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
  };
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
