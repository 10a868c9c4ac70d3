import { Arg, Ctx, GraphQLISODateTime, ID, Mutation, Query, Resolver } from 'type-graphql';

import { accountsInScope, authorize, requireAccountAccess } from '../../auth';
import type { MovementRecord, PlanStatus } from '../../domain/movement';
import type { MovementBatchView, OverrideData, PlanView } from '../../services/posting.service';
import type { GraphQLContext } from '../context';
import { plainInput } from '../plain-input';
import { DecimalScalar } from '../scalars/decimal.scalar';
import { MovementBatchType, MovementType } from './movement.type';
import { PlanStatusEnum, PlanType } from './plan.type';
import { OverrideInput, ProposePlanInput, SubstitutionInInput, SubstitutionOutInput } from './posting.input';

function toPlanType(plan: PlanView): PlanType {
  return {
    ...plan,
    accountIds: [...plan.accountIds],
    accounts: [...plan.accountSummaries],
    movements: plan.movements.map((movement) => ({ ...movement })),
    basis: {
      prices: Object.entries(plan.basis.prices).map(([assetId, price]) => ({ assetId, price })),
      fxRates: Object.entries(plan.basis.fxRates).map(([currency, rate]) => ({ currency, rate })),
      accounts: Object.entries(plan.basis.accountVersions).map(([id, version]) => ({ id, version })),
      holdings: Object.entries(plan.basis.holdingVersions).map(([id, version]) => ({ id, version })),
    },
  };
}

function toOverride(override: OverrideInput | undefined): { override?: OverrideData } {
  return override === undefined || override === null ? {} : { override: { reason: override.reason } };
}

function optional<K extends string>(key: K, value: string | undefined | null): { [P in K]?: string } {
  return (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: string };
}

@Resolver()
export class PostingResolver {
  @Query(() => PlanType, {
    nullable: true,
    description: 'A stored plan; null when unknown or when it covers an account outside your scope.',
  })
  async plan(@Ctx() context: GraphQLContext, @Arg('id', () => ID) id: string): Promise<PlanType | undefined> {
    const principal = authorize(context.principal, 'VIEWER');
    const plan = await context.services.posting.plan(principal, id);
    return plan === undefined ? undefined : toPlanType(plan);
  }

  @Query(() => [PlanType], {
    description: 'Stored plans, newest first; only those whose accounts are all in your scope.',
  })
  async plans(
    @Ctx() context: GraphQLContext,
    @Arg('status', () => PlanStatusEnum, { nullable: true }) status?: PlanStatus,
  ): Promise<PlanType[]> {
    const principal = authorize(context.principal, 'VIEWER');
    return (await context.services.posting.plans(principal, status ?? undefined)).map(toPlanType);
  }

  @Query(() => [MovementType], {
    description: 'The movement log of one account, oldest first; `from` inclusive, `to` exclusive.',
  })
  movements(
    @Ctx() context: GraphQLContext,
    @Arg('accountId', () => ID) accountId: string,
    @Arg('from', () => GraphQLISODateTime, { nullable: true }) from?: Date,
    @Arg('to', () => GraphQLISODateTime, { nullable: true }) to?: Date,
  ): Promise<MovementRecord[]> {
    requireAccountAccess(authorize(context.principal, 'VIEWER'), accountId);
    return context.services.posting.movements(accountId, from ?? undefined, to ?? undefined);
  }

  @Mutation(() => PlanType, {
    description: 'Runs the optimizer on the current book and stores the verified result as a PROPOSED plan.',
  })
  async proposePlan(
    @Ctx() context: GraphQLContext,
    @Arg('input', () => ProposePlanInput, { nullable: true }) input?: ProposePlanInput,
  ): Promise<PlanType> {
    const principal = authorize(context.principal, 'OPERATOR');
    const request = plainInput(input ?? {});
    // A desk-limited key plans for its own accounts: by default all of them, and never another's.
    const accountIds = accountsInScope(principal, request.accountIds, (await context.book()).accounts);
    const plan = await context.services.posting.proposePlan(principal, {
      ...request,
      ...(accountIds === undefined ? {} : { accountIds }),
    });
    return toPlanType(plan);
  }

  @Mutation(() => MovementBatchType, {
    description:
      'Applies every movement of a PROPOSED plan atomically, exactly once per idempotency key. STALE_PLAN when prices, FX, inventory or terms moved since.',
  })
  executePlan(
    @Ctx() context: GraphQLContext,
    @Arg('planId', () => ID) planId: string,
    @Arg('idempotencyKey') idempotencyKey: string,
  ): Promise<MovementBatchView> {
    const principal = authorize(context.principal, 'OPERATOR');
    return context.services.posting.executePlan(principal, planId, idempotencyKey);
  }

  @Mutation(() => PlanType, { description: 'PROPOSED -> EXPIRED by hand.' })
  async cancelPlan(
    @Ctx() context: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<PlanType> {
    const principal = authorize(context.principal, 'OPERATOR');
    return toPlanType(await context.services.posting.cancelPlan(principal, id, reason ?? undefined));
  }

  @Mutation(() => PlanType, { description: 'PROPOSED -> REJECTED, with a reason.' })
  async rejectPlan(
    @Ctx() context: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('reason') reason: string,
  ): Promise<PlanType> {
    const principal = authorize(context.principal, 'OPERATOR');
    return toPlanType(await context.services.posting.rejectPlan(principal, id, reason));
  }

  @Mutation(() => MovementBatchType, {
    description:
      'Delivers free inventory to an account. Checks eligibility, lot size, free inventory, MTA and concentration limits.',
  })
  postCollateral(
    @Ctx() context: GraphQLContext,
    @Arg('accountId', () => ID) accountId: string,
    @Arg('assetId', () => ID) assetId: string,
    @Arg('quantity', () => DecimalScalar) quantity: string,
    @Arg('idempotencyKey') idempotencyKey: string,
    @Arg('location', () => String, {
      nullable: true,
      description: 'Holding to draw from; default the cheapest-to-fund holding with enough free.',
    })
    location?: string,
    @Arg('override', () => OverrideInput, { nullable: true }) override?: OverrideInput,
  ): Promise<MovementBatchView> {
    const principal = requireAccountAccess(authorize(context.principal, 'OPERATOR'), accountId);
    return context.services.posting.postCollateral(principal, {
      accountId,
      assetId,
      quantity,
      idempotencyKey,
      ...optional('location', location),
      ...toOverride(override),
    });
  }

  @Mutation(() => MovementBatchType, {
    description:
      'Takes collateral back from an account. Checks the posted quantity, lot size, MTA, the return amount due and concentration limits.',
  })
  returnCollateral(
    @Ctx() context: GraphQLContext,
    @Arg('accountId', () => ID) accountId: string,
    @Arg('assetId', () => ID) assetId: string,
    @Arg('quantity', () => DecimalScalar) quantity: string,
    @Arg('idempotencyKey') idempotencyKey: string,
    @Arg('location', () => String, {
      nullable: true,
      description: "Holding to return to; default the asset's cheapest-to-fund holding.",
    })
    location?: string,
    @Arg('override', () => OverrideInput, { nullable: true }) override?: OverrideInput,
  ): Promise<MovementBatchView> {
    const principal = requireAccountAccess(authorize(context.principal, 'OPERATOR'), accountId);
    return context.services.posting.returnCollateral(principal, {
      accountId,
      assetId,
      quantity,
      idempotencyKey,
      ...optional('location', location),
      ...toOverride(override),
    });
  }

  @Mutation(() => MovementBatchType, {
    description:
      'Swaps collateral at an account in one atomic batch; coverage and concentration limits must still hold after the swap.',
  })
  substituteCollateral(
    @Ctx() context: GraphQLContext,
    @Arg('accountId', () => ID) accountId: string,
    @Arg('out', () => SubstitutionOutInput) out: SubstitutionOutInput,
    @Arg('in', () => SubstitutionInInput) incoming: SubstitutionInInput,
    @Arg('idempotencyKey') idempotencyKey: string,
    @Arg('override', () => OverrideInput, { nullable: true }) override?: OverrideInput,
  ): Promise<MovementBatchView> {
    const principal = requireAccountAccess(authorize(context.principal, 'OPERATOR'), accountId);
    return context.services.posting.substituteCollateral(principal, {
      accountId,
      out: plainInput({ ...out }),
      in: plainInput({ ...incoming }),
      idempotencyKey,
      ...toOverride(override),
    });
  }
}
