import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';

import { authorize, authorizeGlobal } from '../../auth';
import type { Decimal } from '../../domain/decimal';
import type { Asset, Holding } from '../../domain/model';
import { marketValue } from '../../domain/valuation';
import { AssetType } from '../asset/asset.type';
import type { GraphQLContext } from '../context';
import { plainInput } from '../plain-input';
import { DecimalScalar } from '../scalars/decimal.scalar';
import { HoldingType } from './holding.type';
import { InventoryAdjustmentInput } from './inventory.input';

@Resolver(() => HoldingType)
export class InventoryResolver {
  @Query(() => [HoldingType], { description: 'Free inventory by holding, optionally for one asset.' })
  async inventory(
    @Ctx() context: GraphQLContext,
    @Arg('assetId', () => ID, { nullable: true }) assetId?: string,
  ): Promise<Holding[]> {
    authorize(context.principal, 'VIEWER');
    const book = await context.book();
    return book.inventory.filter((holding) => assetId === undefined || holding.assetId === assetId);
  }

  @FieldResolver(() => AssetType)
  async asset(@Root() holding: Holding, @Ctx() context: GraphQLContext): Promise<Asset> {
    return context.services.books.assetOf(await context.book(), holding.assetId);
  }

  @FieldResolver(() => DecimalScalar)
  async marketValueBase(@Root() holding: Holding, @Ctx() context: GraphQLContext): Promise<Decimal> {
    const book = await context.book();
    const asset = context.services.books.assetOf(book, holding.assetId);
    return marketValue(asset, holding.quantity, book.market.fxRates, book.market.baseCurrency);
  }

  @Mutation(() => [HoldingType], {
    description: 'Adjusts free inventory, all or none; never below zero. Returns the holdings touched.',
  })
  adjustInventory(
    @Ctx() context: GraphQLContext,
    @Arg('adjustments', () => [InventoryAdjustmentInput]) adjustments: InventoryAdjustmentInput[],
  ): Promise<Holding[]> {
    authorizeGlobal(context.principal, 'ADMIN');
    return context.services.referenceData.adjustInventory(plainInput(adjustments));
  }
}
