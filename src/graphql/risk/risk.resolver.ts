import { Arg, Ctx, Float, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';

import { accountsInScope, authorize, authorizeGlobal, filterAccounts } from '../../auth';
import type { HaircutMethod } from '../../risk/estimators/suggested-haircut';
import type { Scenario, StressResult } from '../../risk/stress';
import type {
  HaircutReport,
  MarketDataUpdateResult,
  StressAwareOptimization,
} from '../../services/risk.service';
import type { MarginAlert } from '../../services/risk/margin-monitor';
import type { MarginOverview } from '../../services/risk/margin-overview';
import { PriceInput } from '../asset/asset.input';
import type { GraphQLContext } from '../context';
import { FxRateInput } from '../market/market.input';
import { OptimizeInput } from '../optimizer/optimize.input';
import { plainInput } from '../plain-input';
import { HaircutFloorInput } from './haircut-floor.input';
import { MarginAlertType, MarketDataUpdateType } from './margin-alert.type';
import { MarginOverviewType } from './margin-overview.type';
import { HaircutMethodEnum } from './risk.enums';
import { PriceHistoryInput, ScenarioInput } from './risk.input';
import {
  HaircutReportType,
  ScenarioType,
  StressAwareOptimizationType,
  StressResultType,
} from './stress.type';

@Resolver()
export class RiskResolver {
  @Query(() => MarginOverviewType, {
    description:
      'Every account the caller may see: requirement, collateral after haircuts, coverage, deficit, call and status (OK / CALL / LIQUIDATION).',
  })
  async marginOverview(@Ctx() context: GraphQLContext): Promise<MarginOverview> {
    const principal = authorize(context.principal, 'VIEWER');
    const book = await context.book();
    return context.services.risk.marginOverview(book, filterAccounts(principal, book.accounts));
  }

  @Mutation(() => MarketDataUpdateType, {
    description:
      'Sets prices and FX rates together, all or nothing, then re-evaluates every account and publishes margin alerts.',
  })
  async updateMarketData(
    @Ctx() context: GraphQLContext,
    @Arg('prices', () => [PriceInput], { defaultValue: [] }) prices: PriceInput[],
    @Arg('fxRates', () => [FxRateInput], { defaultValue: [] }) fxRates: FxRateInput[],
  ): Promise<MarketDataUpdateResult> {
    authorizeGlobal(context.principal, 'ADMIN');
    return context.services.risk.updateMarketData(plainInput(prices), plainInput(fxRates));
  }

  @Subscription(() => MarginAlertType, {
    description:
      'Margin alerts for the accounts the caller may see: a status change, or a deficit grown past the configured step. Over WebSocket (graphql-ws) at /graphql.',
    subscribe: ({ context }) => {
      const principal = authorize((context as GraphQLContext).principal, 'VIEWER');
      return (context as GraphQLContext).services.marginMonitor.alerts(principal);
    },
  })
  marginAlerts(@Root() alert: MarginAlert): MarginAlert {
    return alert;
  }

  @Query(() => [ScenarioType], { description: 'The stored named scenarios, by name.' })
  scenarios(@Ctx() context: GraphQLContext): Promise<Scenario[]> {
    authorize(context.principal, 'VIEWER');
    return context.services.risk.scenarios();
  }

  @Mutation(() => ScenarioType, { description: 'Stores a named scenario (replacing one of the same name).' })
  saveScenario(
    @Ctx() context: GraphQLContext,
    @Arg('scenario', () => ScenarioInput) scenario: ScenarioInput,
  ): Promise<Scenario> {
    authorizeGlobal(context.principal, 'ADMIN');
    return context.services.risk.saveScenario(plainInput(scenario));
  }

  @Query(() => StressResultType, {
    description:
      'Applies a stored scenario (scenarioName) or an ad-hoc one (scenario) to the accounts the caller may see: coverage after the shock, new calls, liquidations, total shortfall. A what-if.',
  })
  async stressTest(
    @Ctx() context: GraphQLContext,
    @Arg('scenarioName', () => String, { nullable: true }) scenarioName?: string,
    @Arg('scenario', () => ScenarioInput, { nullable: true }) scenario?: ScenarioInput,
  ): Promise<StressResult> {
    const principal = authorize(context.principal, 'VIEWER');
    const book = await context.book();
    return context.services.risk.stressTest(book, filterAccounts(principal, book.accounts), {
      ...(scenarioName !== undefined && scenarioName !== null ? { name: scenarioName } : {}),
      ...(scenario !== undefined && scenario !== null ? { scenario: plainInput(scenario) } : {}),
    });
  }

  @Mutation(() => Int, {
    description: 'Loads (replaces) daily price histories, all or nothing; returns how many assets.',
  })
  loadPriceHistory(
    @Ctx() context: GraphQLContext,
    @Arg('histories', () => [PriceHistoryInput]) histories: PriceHistoryInput[],
  ): Promise<number> {
    authorizeGlobal(context.principal, 'ADMIN');
    return context.services.risk.loadPriceHistory(plainInput(histories));
  }

  @Query(() => HaircutReportType, {
    description:
      "A haircut from the asset's price history, and each visible account's haircut for it today, flagged when below.",
  })
  async suggestedHaircut(
    @Ctx() context: GraphQLContext,
    @Arg('assetId', () => ID) assetId: string,
    @Arg('method', () => HaircutMethodEnum) method: HaircutMethod,
    @Arg('confidence', () => Float, { description: 'In (0.5, 1), e.g. 0.99.' }) confidence: number,
    @Arg('horizonDays', () => Int, { description: 'Margin period of risk, business days.' })
    horizonDays: number,
    @Arg('lookbackDays', () => Int, { description: 'Most recent prices used; >= horizonDays + 20.' })
    lookbackDays: number,
    @Arg('floor', () => HaircutFloorInput, {
      nullable: true,
      description: 'Floor against pro-cyclicality; default FULL_HISTORY.',
    })
    floor?: HaircutFloorInput,
  ): Promise<HaircutReport> {
    const principal = authorize(context.principal, 'VIEWER');
    const book = await context.book();
    return context.services.risk.suggestedHaircut(book, filterAccounts(principal, book.accounts), {
      assetId,
      method,
      confidence,
      horizonDays,
      lookbackDays,
      ...(floor ? { floor: plainInput(floor) } : {}),
    });
  }

  @Query(() => StressAwareOptimizationType, {
    description:
      'Optimizes so that every call stays covered under a named scenario (stressed prices, FX and haircuts), and reports the cost over the plain optimum. A what-if.',
  })
  async stressAwareOptimize(
    @Ctx() context: GraphQLContext,
    @Arg('scenarioName', () => String) scenarioName: string,
    @Arg('input', () => OptimizeInput, { nullable: true }) input?: OptimizeInput,
  ): Promise<StressAwareOptimization> {
    const principal = authorize(context.principal, 'VIEWER');
    const request = plainInput(input ?? {});
    const book = await context.book();
    const accountIds = accountsInScope(principal, request.accountIds, book.accounts);
    return context.services.risk.stressAwareOptimize(
      book,
      scenarioName,
      { ...request, ...(accountIds ? { accountIds } : {}) },
      context.signal,
    );
  }
}
