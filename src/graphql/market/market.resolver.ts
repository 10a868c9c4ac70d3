import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';

import { authorize, authorizeGlobal } from '../../auth';
import type { GraphQLContext } from '../context';
import { plainInput } from '../plain-input';
import { FxRateInput } from './market.input';
import { MarketType } from './market.type';

@Resolver(() => MarketType)
export class MarketResolver {
  @Query(() => MarketType)
  async market(@Ctx() context: GraphQLContext): Promise<MarketType> {
    authorize(context.principal, 'VIEWER');
    return context.services.books.marketView((await context.book()).market);
  }

  @Mutation(() => MarketType, { description: 'Sets FX rates (merged into the table), all or none.' })
  async setFxRates(
    @Ctx() context: GraphQLContext,
    @Arg('rates', () => [FxRateInput]) rates: FxRateInput[],
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<MarketType> {
    authorizeGlobal(context.principal, 'ADMIN');
    const market = await context.services.referenceData.setFxRates(plainInput(rates), expectedVersion);
    return context.services.books.marketView(market);
  }
}
