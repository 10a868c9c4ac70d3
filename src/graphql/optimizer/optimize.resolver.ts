import { Arg, Ctx, Query, Resolver } from 'type-graphql';

import { accountsInScope, authorize } from '../../auth';
import type { OptimizationResult } from '../../optimizer/optimizer.types';
import type { GraphQLContext } from '../context';
import { plainInput } from '../plain-input';
import { OptimizationResultType } from './optimization.type';
import { OptimizeInput } from './optimize.input';

@Resolver()
export class OptimizeResolver {
  @Query(() => OptimizationResultType, {
    description:
      'The cheapest allocation of inventory that covers every call within every limit, verified and explained. A what-if: nothing changes.',
  })
  async optimize(
    @Ctx() context: GraphQLContext,
    @Arg('input', () => OptimizeInput, { nullable: true }) input?: OptimizeInput,
  ): Promise<OptimizationResult> {
    const principal = authorize(context.principal, 'VIEWER');
    const request = plainInput(input ?? {});
    const book = await context.book();
    // A desk-limited key optimizes its own accounts: by default all of them, and never another's.
    const accountIds = accountsInScope(principal, request.accountIds, book.accounts);
    // A what-if nobody waits for any more is cancelled, which frees its solver worker.
    return context.services.optimization.optimize(
      book,
      { ...request, ...(accountIds ? { accountIds } : {}) },
      context.signal,
    );
  }
}
