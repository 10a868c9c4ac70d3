import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';

import { authorize, filterAccounts, requireAccountAccess } from '../../auth';
import type { Account, MarginTerms } from '../../domain/model';
import type { EligibleAssetView, MarginStatusView } from '../../services/book-query.service';
import type { GraphQLContext } from '../context';
import { plainInput } from '../plain-input';
import { AccountInput, MarginRequirementInput } from './account.input';
import { AccountType, MarginRequirementType } from './account.type';
import { EligibleAssetType } from './eligible-asset.type';
import { MarginStatusType } from './margin-status.type';

@Resolver(() => AccountType)
export class AccountResolver {
  @Query(() => [AccountType])
  async accounts(@Ctx() context: GraphQLContext): Promise<readonly Account[]> {
    const principal = authorize(context.principal, 'VIEWER');
    return filterAccounts(principal, (await context.book()).accounts);
  }

  @Query(() => AccountType, { nullable: true })
  async account(
    @Ctx() context: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<Account | undefined> {
    requireAccountAccess(authorize(context.principal, 'VIEWER'), id);
    return (await context.book()).accounts.find((account) => account.id === id);
  }

  @Query(() => [EligibleAssetType], {
    description:
      'Every asset the account accepts: governing rule, effective haircut, limits, free quantity and value.',
  })
  async eligibleAssets(
    @Ctx() context: GraphQLContext,
    @Arg('accountId', () => ID) accountId: string,
  ): Promise<EligibleAssetView[]> {
    requireAccountAccess(authorize(context.principal, 'VIEWER'), accountId);
    const book = await context.book();
    return context.services.books.eligibleAssets(book, context.services.books.accountOf(book, accountId));
  }

  @Query(() => MarginStatusType, {
    description: 'Requirement, collateral held after haircuts and the call due.',
  })
  async marginStatus(
    @Ctx() context: GraphQLContext,
    @Arg('accountId', () => ID) accountId: string,
  ): Promise<MarginStatusView> {
    requireAccountAccess(authorize(context.principal, 'VIEWER'), accountId);
    const book = await context.book();
    return context.services.books.marginStatus(book, context.services.books.accountOf(book, accountId));
  }

  @FieldResolver(() => MarginRequirementType)
  requirement(@Root() account: Account): MarginTerms {
    return account.terms;
  }

  @FieldResolver(() => MarginStatusType, { name: 'marginStatus' })
  async marginStatusField(
    @Root() account: Account,
    @Ctx() context: GraphQLContext,
  ): Promise<MarginStatusView> {
    return context.services.books.marginStatus(await context.book(), account);
  }

  @FieldResolver(() => [EligibleAssetType], { name: 'eligibleAssets' })
  async eligibleAssetsField(
    @Root() account: Account,
    @Ctx() context: GraphQLContext,
  ): Promise<EligibleAssetView[]> {
    return context.services.books.eligibleAssets(await context.book(), account);
  }

  @Mutation(() => AccountType, {
    description:
      'Creates an account or replaces its terms, schedule and limits. Postings are kept as they are.',
  })
  upsertAccount(
    @Ctx() context: GraphQLContext,
    @Arg('input', () => AccountInput) input: AccountInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<Account> {
    requireAccountAccess(authorize(context.principal, 'ADMIN'), input.id);
    return context.services.referenceData.upsertAccount(plainInput(input), expectedVersion);
  }

  @Mutation(() => AccountType, {
    description: "Replaces an account's CSA terms (exposure, IA, threshold, MTA, rounding).",
  })
  setRequirement(
    @Ctx() context: GraphQLContext,
    @Arg('accountId', () => ID) accountId: string,
    @Arg('requirement', () => MarginRequirementInput) requirement: MarginRequirementInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<Account> {
    requireAccountAccess(authorize(context.principal, 'ADMIN'), accountId);
    return context.services.referenceData.setRequirement(accountId, plainInput(requirement), expectedVersion);
  }
}
