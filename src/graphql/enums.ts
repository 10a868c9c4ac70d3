/** GraphQL enums for the domain vocabularies; the values are the domain's own strings. */
import { registerEnumType } from 'type-graphql';

import { ACCOUNT_KINDS, ASSET_CLASSES, CONCENTRATION_BASES, CONCENTRATION_SCOPES } from '../domain/model';

export function enumObject<T extends string>(values: readonly T[]): Record<T, T> {
  return Object.fromEntries(values.map((value) => [value, value])) as Record<T, T>;
}

export const AssetClassEnum = enumObject(ASSET_CLASSES);
export const AccountKindEnum = enumObject(ACCOUNT_KINDS);
export const ConcentrationScopeEnum = enumObject(CONCENTRATION_SCOPES);
export const ConcentrationBasisEnum = enumObject(CONCENTRATION_BASES);

registerEnumType(AssetClassEnum, { name: 'AssetClass', description: 'Kind of instrument.' });
registerEnumType(AccountKindEnum, { name: 'AccountKind', description: 'Kind of margin account.' });
registerEnumType(ConcentrationScopeEnum, {
  name: 'ConcentrationScope',
  description: 'What a concentration limit groups by.',
});
registerEnumType(ConcentrationBasisEnum, {
  name: 'ConcentrationBasis',
  description:
    'TOTAL_COLLATERAL: share of all collateral value at the account; REQUIREMENT: share of the credit support amount.',
});
