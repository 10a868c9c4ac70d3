import 'reflect-metadata';

import { createPubSub } from '@graphql-yoga/subscription';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';

import { AccountResolver } from './account/account.resolver';
import { AssetResolver } from './asset/asset.resolver';
import { BookResolver } from './book/book.resolver';
import { InventoryResolver } from './inventory/inventory.resolver';
import { MarketResolver } from './market/market.resolver';
import { OptimizeResolver } from './optimizer/optimize.resolver';
import { PostingResolver } from './posting/posting.resolver';
import { RiskResolver } from './risk/risk.resolver';

export const RESOLVERS = [
  AccountResolver,
  AssetResolver,
  InventoryResolver,
  MarketResolver,
  BookResolver,
  OptimizeResolver,
  PostingResolver,
  RiskResolver,
] as const;

/** Builds the executable schema from the resolver classes (code first). */
export function buildGraphQLSchema(): Promise<GraphQLSchema> {
  // type-graphql refuses a schema with subscriptions unless given a pubSub. marginAlerts brings
  // its own `subscribe` (the MarginMonitor's stream, filtered by caller), so this one stays idle.
  return buildSchema({ resolvers: [...RESOLVERS], validate: false, pubSub: createPubSub() });
}
