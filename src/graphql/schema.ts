import 'reflect-metadata';

import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';

import { AccountResolver } from './account/account.resolver';
import { AssetResolver } from './asset/asset.resolver';
import { BookResolver } from './book/book.resolver';
import { InventoryResolver } from './inventory/inventory.resolver';
import { MarketResolver } from './market/market.resolver';
import { OptimizeResolver } from './optimizer/optimize.resolver';

export const RESOLVERS = [
  AccountResolver,
  AssetResolver,
  InventoryResolver,
  MarketResolver,
  BookResolver,
  OptimizeResolver,
] as const;

/** Builds the executable schema from the resolver classes (code first). */
export function buildGraphQLSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: [...RESOLVERS], validate: false });
}
