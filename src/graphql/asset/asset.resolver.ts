import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';

import { authorize, authorizeGlobal } from '../../auth';
import type { Asset, AssetClass } from '../../domain/model';
import type { GraphQLContext } from '../context';
import { AssetClassEnum } from '../enums';
import { plainInput } from '../plain-input';
import { AssetInput, PriceInput } from './asset.input';
import { AssetType } from './asset.type';

@Resolver(() => AssetType)
export class AssetResolver {
  @Query(() => [AssetType], { description: 'Assets in the book, optionally filtered by class and currency.' })
  async assets(
    @Ctx() context: GraphQLContext,
    @Arg('assetClass', () => AssetClassEnum, { nullable: true }) assetClass?: AssetClass,
    @Arg('currency', () => String, { nullable: true }) currency?: string,
  ): Promise<Asset[]> {
    authorize(context.principal, 'VIEWER');
    const book = await context.book();
    return book.assets.filter(
      (asset) =>
        (assetClass === undefined || asset.assetClass === assetClass) &&
        (currency === undefined || asset.currency === currency),
    );
  }

  @Query(() => AssetType, { nullable: true })
  async asset(@Ctx() context: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Asset | undefined> {
    authorize(context.principal, 'VIEWER');
    const book = await context.book();
    return book.assets.find((asset) => asset.id === id);
  }

  @Mutation(() => AssetType, { description: 'Creates an asset or replaces all its fields.' })
  upsertAsset(
    @Ctx() context: GraphQLContext,
    @Arg('input', () => AssetInput) input: AssetInput,
    @Arg('expectedVersion', () => Int, {
      nullable: true,
      description: 'Refuse with CONFLICT unless the stored version is this; 0 means "must not exist yet".',
    })
    expectedVersion?: number,
  ): Promise<Asset> {
    authorizeGlobal(context.principal, 'ADMIN');
    return context.services.referenceData.upsertAsset(plainInput(input), expectedVersion);
  }

  @Mutation(() => [AssetType], { description: 'Sets several prices at once, all or none.' })
  setPrices(
    @Ctx() context: GraphQLContext,
    @Arg('prices', () => [PriceInput]) prices: PriceInput[],
  ): Promise<Asset[]> {
    authorizeGlobal(context.principal, 'ADMIN');
    return context.services.referenceData.setPrices(plainInput(prices));
  }
}
