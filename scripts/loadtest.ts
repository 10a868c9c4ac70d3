/**
 * `npm run loadtest`: starts the built service (`node dist/main.js`) as a child process on a free
 * loopback port (in-memory store, demo book, NODE_ENV=production with a freshly generated API
 * key, rate limits off) and drives it with autocannon in three mixes: reads, optimize (TOP_UP and
 * REOPTIMIZE) and concurrent postCollateral with idempotency keys, a fraction of them deliberate
 * retries of earlier keys. Every response is checked for its HTTP status and GraphQL `errors`.
 * Afterwards it checks, through GraphQL, that inventory is conserved, nothing is negative and each
 * idempotency key took effect once. Prints a table, writes bench/results/loadtest.json, and exits
 * non-zero only when an invariant or a response check breaks (a missed throughput target is reported).
 * Beside req/s and latency, each mix reports the service's CPU time per request (robust to other
 * load on the machine, so it compares code changes) and autocannon's own CPU use.
 *
 * Each read mix is preceded by a warm-up of --warmup seconds (default 2; 0 for none), its responses
 * checked like the others but not counted, so a read's figures are the service's steady state
 * rather than its first seconds of JIT compilation and cache filling.
 *
 * Flags: --duration <s> (per mix, default 10), --warmup <s> (reads, default 2),
 * --connections <n> (reads, default 10), --optimize-connections <n> (default 4),
 * --post-connections <n> (default 8),
 * --max-requests <n> (cap per mix, default 200000), --retry-fraction <0..1> (default 0.2),
 * --mixes reads,optimize,post (default all). GRAPHQL_JIT in the environment reaches the service.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { generateApiKey, hashApiKey } from '../src/auth/key-hash';
import { dec, type Decimal, ZERO } from '../src/domain/decimal';

/** autocannon 8 ships no types; this is the part of its programmatic API used here. */
interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  maxOverallRequests: number;
  method: 'POST';
  headers: Record<string, string>;
  requests: AutocannonRequest[];
}
interface Histogram {
  readonly average: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly total: number;
}
interface AutocannonResult {
  readonly requests: Histogram;
  readonly latency: Histogram;
  readonly duration: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- no ES module typings to import
const autocannon = require('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>;

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER_ENTRY = path.join(ROOT, 'dist', 'main.js');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'loadtest.json');

const TARGETS = { readRequestsPerSecond: 2000, readP99Ms: 50, optimizeRequestsPerSecond: 100 };

interface Options {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly readConnections: number;
  readonly optimizeConnections: number;
  readonly postConnections: number;
  readonly maxRequests: number;
  readonly retryFraction: number;
  readonly mixes: readonly string[];
}

function parseOptions(argv: readonly string[]): Options {
  const flag = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? undefined : argv[index + 1];
  };
  const positive = (name: string, fallback: number): number => {
    const text = flag(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const retryFraction = positive('retry-fraction', 0.2);
  if (retryFraction >= 1) throw new Error('--retry-fraction must be below 1');
  return {
    durationSeconds: positive('duration', 10),
    warmupSeconds: flag('warmup') === '0' ? 0 : positive('warmup', 2),
    readConnections: positive('connections', 10),
    optimizeConnections: positive('optimize-connections', 4),
    postConnections: positive('post-connections', 8),
    maxRequests: positive('max-requests', 200_000),
    retryFraction,
    mixes: (flag('mixes') ?? 'reads,optimize,post').split(','),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

interface RunningService {
  readonly url: string;
  readonly log: () => string;
  /** CPU time the service process has used so far (all its threads), ms; undefined off Linux. */
  readonly cpuMs: () => number | undefined;
  stop(): Promise<number | null>;
}

async function startService(apiKeyHash: string): Promise<RunningService> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      API_KEYS: `loadtest,ADMIN,${apiKeyHash}`,
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
      RATE_LIMIT_OPTIMIZE_PER_MINUTE: '0',
      // Passed through so the interpreter can be measured against compiled execution (GRAPHQL_JIT=false).
      ...(process.env.GRAPHQL_JIT === undefined ? {} : { GRAPHQL_JIT: process.env.GRAPHQL_JIT }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The service exited before it was ready:\n${log}`);
    const ready = await fetch(`${base}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`The service was not ready within 60 s:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `${base}/graphql`,
    log: () => log,
    cpuMs: () => processCpuMs(child.pid),
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** utime + stime from /proc/<pid>/stat (clock ticks of 10 ms on Linux). */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

interface GraphQLBody {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly { message: string; extensions?: { code?: string } }[];
}

async function graphql(
  service: RunningService,
  apiKey: string,
  query: string,
  variables?: object,
): Promise<Record<string, unknown>> {
  const response = await fetch(service.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLBody;
  if (response.status !== 200 || body.errors !== undefined || !body.data) {
    throw new Error(`GraphQL request failed (${response.status}): ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

interface MixResult {
  readonly mix: string;
  readonly connections: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  readonly non2xx: number;
  readonly connectionErrors: number;
  /** Responses with GraphQL `errors` that the mix does not expect. */
  readonly graphqlErrors: number;
  /** Refusals the mix provokes on purpose (not enough free inventory), counted apart. */
  readonly expectedRejections: number;
  /**
   * Service CPU time per request (all threads, microseconds): unlike req/s, barely moved by other
   * load on the machine, so it compares code changes measured on a busy machine.
   */
  readonly serviceCpuMicrosPerRequest: number | null;
  /** CPU used by this process (autocannon and the response checks) as % of one core: the load generator's share. */
  readonly loadGeneratorCpuPercent: number;
}

/** Counts what every response said; the mix supplies a check for a successful body. */
class ResponseTally {
  non2xx = 0;
  graphqlErrors = 0;
  expectedRejections = 0;
  readonly samples: string[] = [];

  record(status: number, body: string, isExpectedRejection: (parsed: GraphQLBody) => boolean = () => false) {
    if (status < 200 || status > 299) {
      this.non2xx += 1;
      this.sample(`HTTP ${status}: ${body.slice(0, 200)}`);
      return undefined;
    }
    let parsed: GraphQLBody;
    try {
      parsed = JSON.parse(body) as GraphQLBody;
    } catch {
      this.graphqlErrors += 1;
      this.sample(`unparseable body: ${body.slice(0, 200)}`);
      return undefined;
    }
    if (parsed.errors !== undefined && parsed.errors.length > 0) {
      if (isExpectedRejection(parsed)) this.expectedRejections += 1;
      else {
        this.graphqlErrors += 1;
        this.sample(JSON.stringify(parsed.errors).slice(0, 300));
      }
      return parsed;
    }
    if (!parsed.data) {
      this.graphqlErrors += 1;
      this.sample(`no data: ${body.slice(0, 200)}`);
    }
    return parsed;
  }

  private sample(text: string) {
    if (this.samples.length < 5) this.samples.push(text);
  }
}

async function runMix(
  name: string,
  service: RunningService,
  apiKey: string,
  options: Options,
  connections: number,
  request: AutocannonRequest,
  tally: ResponseTally,
): Promise<MixResult> {
  const serviceCpuBefore = service.cpuMs();
  const generatorCpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: service.url,
    connections,
    duration: options.durationSeconds,
    maxOverallRequests: options.maxRequests,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    requests: [request],
  });
  const serviceCpuAfter = service.cpuMs();
  const generatorCpu = process.cpuUsage(generatorCpuBefore);
  if (tally.samples.length > 0)
    console.error(`${name}: unexpected responses, e.g.\n  ${tally.samples.join('\n  ')}`);
  return {
    mix: name,
    connections,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    non2xx: result.non2xx,
    connectionErrors: result.errors,
    graphqlErrors: tally.graphqlErrors,
    expectedRejections: tally.expectedRejections,
    serviceCpuMicrosPerRequest:
      serviceCpuBefore === undefined || serviceCpuAfter === undefined || result.requests.total === 0
        ? null
        : Math.round(((serviceCpuAfter - serviceCpuBefore) * 1000) / result.requests.total),
    loadGeneratorCpuPercent: Math.round(
      (generatorCpu.user + generatorCpu.system) / 10 / (result.duration * 1000),
    ),
  };
}

function staticMix(query: string, variables: object, tally: ResponseTally): AutocannonRequest {
  return {
    body: JSON.stringify({ query, variables }),
    onResponse: (status, body) => void tally.record(status, body),
  };
}

/** The dashboard read: every account's margin status. */
const MARGIN_OVERVIEW = `query MarginOverview { accounts { id name kind currency
  marginStatus { creditSupportAmount collateralValue excess callType deliveryAmount returnAmount } } }`;
/** The lightest read: what the HTTP, auth and GraphQL layers cost per request. */
const MARKET = `query Market { market { baseCurrency valuationDate } }`;
/** A lighter read: one account's requirement and what could be posted to it. */
const ACCOUNT_AND_ELIGIBLE = `query AccountAndEligible($id: ID!) {
  account(id: $id) { id name requirement { exposure threshold minimumTransferAmount rounding } }
  eligibleAssets(accountId: $id) { asset { id } effectiveHaircut freeQuantity collateralValuePerUnit } }`;
const OPTIMIZE = `query Optimize($input: OptimizeInput) { optimize(input: $input) {
  status objective accounts { accountId shortfall } lines { accountId assetId quantity } } }`;
const POST_COLLATERAL = `mutation Post($accountId: ID!, $assetId: ID!, $quantity: Decimal!, $idempotencyKey: String!) {
  postCollateral(accountId: $accountId, assetId: $assetId, quantity: $quantity, idempotencyKey: $idempotencyKey) {
    batchId replayed movements { accountId assetId quantity } } }`;

interface PostInput {
  readonly accountId: string;
  readonly assetId: string;
  readonly quantity: string;
  readonly idempotencyKey: string;
}

/**
 * Mostly USD cash to an account with no MTA (plenty free), one in ten a whole WBTC (30 free) so
 * that inventory runs out during the run and refusals are exercised; a fraction of requests are
 * retries of one of the 50 latest keys, same input, usually while the first is still in flight.
 */
class PostingWorkload {
  readonly issued: PostInput[] = [];
  /** Per key: the successful answers seen, and how many of them were not replays. */
  readonly outcomes = new Map<string, { successes: number; acted: number; batchIds: Set<string> }>();
  /** Requests sent per key and not answered yet: autocannon drops the answers in flight when time is up. */
  readonly unanswered = new Map<string, number>();
  private next = 0;

  constructor(
    private readonly runId: string,
    private readonly retryFraction: number,
  ) {}

  nextInput(): PostInput {
    if (this.issued.length > 0 && Math.random() < this.retryFraction) {
      const recent = this.issued.slice(-50);
      return recent[Math.floor(Math.random() * recent.length)]!;
    }
    this.next += 1;
    const input: PostInput =
      this.next % 10 === 0
        ? { accountId: 'aave-v3-usdc-loan', assetId: 'WBTC', quantity: '1', idempotencyKey: this.key() }
        : { accountId: 'lch-swapclear-im', assetId: 'USD-CASH', quantity: '100', idempotencyKey: this.key() };
    this.issued.push(input);
    return input;
  }

  sent(input: PostInput): void {
    this.unanswered.set(input.idempotencyKey, (this.unanswered.get(input.idempotencyKey) ?? 0) + 1);
  }

  answered(input: PostInput): void {
    const left = (this.unanswered.get(input.idempotencyKey) ?? 1) - 1;
    if (left > 0) this.unanswered.set(input.idempotencyKey, left);
    else this.unanswered.delete(input.idempotencyKey);
  }

  record(input: PostInput, parsed: GraphQLBody | undefined): void {
    const batch = parsed?.data?.postCollateral as { batchId: string; replayed: boolean } | undefined;
    if (batch === undefined) return;
    const outcome = this.outcomes.get(input.idempotencyKey) ?? {
      successes: 0,
      acted: 0,
      batchIds: new Set(),
    };
    outcome.successes += 1;
    if (!batch.replayed) outcome.acted += 1;
    outcome.batchIds.add(batch.batchId);
    this.outcomes.set(input.idempotencyKey, outcome);
  }

  private key(): string {
    return `${this.runId}-${this.next}`;
  }
}

function isInventoryRefusal(parsed: GraphQLBody): boolean {
  return (parsed.errors ?? []).every(
    (error) => error.extensions?.code === 'CONFLICT' && /free/.test(error.message),
  );
}

interface BookQuantities {
  /** Free plus posted, per asset. */
  readonly totalByAsset: Map<string, Decimal>;
  readonly postedByAccountAsset: Map<string, Decimal>;
  readonly negatives: string[];
}

async function bookQuantities(service: RunningService, apiKey: string): Promise<BookQuantities> {
  const { exportBook } = (await graphql(service, apiKey, '{ exportBook }')) as {
    exportBook: {
      inventory: { assetId: string; location: string; quantity: string }[];
      accounts: { id: string; posted?: { assetId: string; quantity: string }[] }[];
    };
  };
  const totalByAsset = new Map<string, Decimal>();
  const postedByAccountAsset = new Map<string, Decimal>();
  const negatives: string[] = [];
  const add = (map: Map<string, Decimal>, key: string, quantity: Decimal) =>
    map.set(key, (map.get(key) ?? ZERO).plus(quantity));
  for (const holding of exportBook.inventory) {
    const quantity = dec(holding.quantity);
    if (quantity.isNegative())
      negatives.push(`holding ${holding.assetId}@${holding.location} ${holding.quantity}`);
    add(totalByAsset, holding.assetId, quantity);
  }
  for (const account of exportBook.accounts) {
    for (const line of account.posted ?? []) {
      const quantity = dec(line.quantity);
      if (quantity.isNegative()) negatives.push(`posted ${account.id}/${line.assetId} ${line.quantity}`);
      add(totalByAsset, line.assetId, quantity);
      add(postedByAccountAsset, `${account.id}/${line.assetId}`, quantity);
    }
  }
  return { totalByAsset, postedByAccountAsset, negatives };
}

interface InvariantReport {
  readonly name: string;
  readonly holds: boolean;
  readonly detail: string;
}

function checkInvariants(
  before: BookQuantities,
  after: BookQuantities,
  workload: PostingWorkload,
): InvariantReport[] {
  const reports: InvariantReport[] = [];
  const assets = new Set([...before.totalByAsset.keys(), ...after.totalByAsset.keys()]);
  const drift = [...assets].filter(
    (asset) => !(before.totalByAsset.get(asset) ?? ZERO).equals(after.totalByAsset.get(asset) ?? ZERO),
  );
  reports.push({
    name: 'inventory conserved (free + posted per asset unchanged)',
    holds: drift.length === 0,
    detail: drift.length === 0 ? `${assets.size} assets` : `changed: ${drift.join(', ')}`,
  });
  reports.push({
    name: 'no negative holding or posting',
    holds: after.negatives.length === 0,
    detail: after.negatives.length === 0 ? 'none' : after.negatives.join('; '),
  });

  const actedTwice = [...workload.outcomes].filter(
    ([, outcome]) => outcome.acted > 1 || outcome.batchIds.size > 1,
  );
  reports.push({
    name: 'each idempotency key acted at most once (one batch id, one non-replayed answer)',
    holds: actedTwice.length === 0,
    detail:
      actedTwice.length === 0
        ? `${workload.outcomes.size} keys succeeded`
        : `keys: ${actedTwice.map(([key]) => key).join(', ')}`,
  });

  const expectedIncrease = new Map<string, Decimal>();
  const inputByKey = new Map(workload.issued.map((input) => [input.idempotencyKey, input]));
  for (const key of workload.outcomes.keys()) {
    const input = inputByKey.get(key)!;
    const line = `${input.accountId}/${input.assetId}`;
    expectedIncrease.set(line, (expectedIncrease.get(line) ?? ZERO).plus(dec(input.quantity)));
  }
  const lines = new Set([...before.postedByAccountAsset.keys(), ...after.postedByAccountAsset.keys()]);
  const mismatches: string[] = [];
  for (const line of lines) {
    const increase = (after.postedByAccountAsset.get(line) ?? ZERO).minus(
      before.postedByAccountAsset.get(line) ?? ZERO,
    );
    const expected = expectedIncrease.get(line) ?? ZERO;
    if (!increase.equals(expected)) mismatches.push(`${line}: posted +${increase}, keys sum ${expected}`);
  }
  const summary = [...expectedIncrease].map(([line, quantity]) => `${line} +${quantity}`).join(', ');
  reports.push({
    name: 'posted increase equals the quantities of the distinct successful keys',
    holds: mismatches.length === 0,
    detail: mismatches.length === 0 ? summary || 'no postings' : mismatches.join('; '),
  });
  return reports;
}

function table(results: readonly MixResult[]): string {
  const header = [
    'mix',
    'conns',
    'requests',
    'req/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'GraphQL errors',
    'refused*',
    'service CPU us/req',
    'autocannon CPU %',
  ];
  const rows = results.map((result) => [
    result.mix,
    String(result.connections),
    String(result.requests),
    String(result.requestsPerSecond),
    String(result.latencyP50Ms),
    String(result.latencyP99Ms),
    String(result.non2xx + result.connectionErrors),
    String(result.graphqlErrors),
    String(result.expectedRejections),
    String(result.serviceCpuMicrosPerRequest ?? 'n/a'),
    String(result.loadGeneratorCpuPercent),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const format = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    format(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(format),
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const apiKey = generateApiKey();
  const service = await startService(hashApiKey(apiKey));
  const results: MixResult[] = [];
  let invariants: InvariantReport[] = [];
  let serviceExitCode: number | null = null;
  let unexpectedWarmupResponses = false;
  try {
    if (options.mixes.includes('reads')) {
      const reads: [string, string, object][] = [
        ['read: marginOverview (all accounts)', MARGIN_OVERVIEW, {}],
        ['read: account + eligibleAssets', ACCOUNT_AND_ELIGIBLE, { id: 'gs-umr-im' }],
        ['read: market (light)', MARKET, {}],
      ];
      for (const [name, query, variables] of reads) {
        if (options.warmupSeconds > 0) {
          const warmupTally = new ResponseTally();
          await runMix(
            `${name} (warm-up)`,
            service,
            apiKey,
            { ...options, durationSeconds: options.warmupSeconds },
            options.readConnections,
            staticMix(query, variables, warmupTally),
            warmupTally,
          );
          if (warmupTally.non2xx + warmupTally.graphqlErrors > 0) unexpectedWarmupResponses = true;
        }
        const tally = new ResponseTally();
        results.push(
          await runMix(
            name,
            service,
            apiKey,
            options,
            options.readConnections,
            staticMix(query, variables, tally),
            tally,
          ),
        );
      }
    }
    if (options.mixes.includes('optimize')) {
      for (const mode of ['TOP_UP', 'REOPTIMIZE']) {
        const tally = new ResponseTally();
        results.push(
          await runMix(
            `optimize ${mode} (demo book)`,
            service,
            apiKey,
            options,
            options.optimizeConnections,
            staticMix(OPTIMIZE, { input: { mode } }, tally),
            tally,
          ),
        );
      }
    }
    if (options.mixes.includes('post')) {
      const before = await bookQuantities(service, apiKey);
      const workload = new PostingWorkload(`loadtest-${Date.now()}`, options.retryFraction);
      const tally = new ResponseTally();
      const request: AutocannonRequest = {
        setupRequest: (raw, context) => {
          const input = workload.nextInput();
          workload.sent(input);
          context.input = input;
          return { ...raw, body: JSON.stringify({ query: POST_COLLATERAL, variables: input }) };
        },
        onResponse: (status, body, context) => {
          const input = context.input as PostInput;
          workload.answered(input);
          workload.record(input, tally.record(status, body, isInventoryRefusal));
        },
      };
      const retryPercent = Math.round(options.retryFraction * 100);
      results.push(
        await runMix(
          `postCollateral (${retryPercent}% retries)`,
          service,
          apiKey,
          options,
          options.postConnections,
          request,
          tally,
        ),
      );
      // A request cut off at the end may or may not have acted; its retry (same key) settles which.
      const settleTally = new ResponseTally();
      const inputByKey = new Map(workload.issued.map((input) => [input.idempotencyKey, input]));
      for (const key of [...workload.unanswered.keys()]) {
        const input = inputByKey.get(key)!;
        const response = await fetch(service.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ query: POST_COLLATERAL, variables: input }),
        });
        workload.record(
          input,
          settleTally.record(response.status, await response.text(), isInventoryRefusal),
        );
      }
      console.log(`postCollateral: ${workload.unanswered.size} keys cut off at the end, settled by a retry`);
      invariants = checkInvariants(before, await bookQuantities(service, apiKey), workload);
      if (settleTally.non2xx + settleTally.graphqlErrors > 0) {
        invariants.push({
          name: 'retries of cut-off keys answered',
          holds: false,
          detail: settleTally.samples.join('; '),
        });
      }
    }
  } finally {
    serviceExitCode = await service.stop();
  }

  console.log(table(results));
  console.log('* refused: postCollateral refused for lack of free inventory (provoked on purpose)');
  const byMix = (prefix: string) => results.filter((result) => result.mix.startsWith(prefix));
  const targets = [
    ...byMix('read').map((result) => ({
      target: `${result.mix}: >= ${TARGETS.readRequestsPerSecond} req/s and p99 < ${TARGETS.readP99Ms} ms`,
      met:
        result.requestsPerSecond >= TARGETS.readRequestsPerSecond && result.latencyP99Ms < TARGETS.readP99Ms,
    })),
    ...byMix('optimize').map((result) => ({
      target: `${result.mix}: >= ${TARGETS.optimizeRequestsPerSecond} req/s`,
      met: result.requestsPerSecond >= TARGETS.optimizeRequestsPerSecond,
    })),
  ];
  for (const { target, met } of targets) console.log(`target ${met ? 'met' : 'MISSED'}: ${target}`);
  for (const invariant of invariants) {
    console.log(`invariant ${invariant.holds ? 'holds' : 'BROKEN'}: ${invariant.name} (${invariant.detail})`);
  }
  console.log(`service exit code after SIGTERM: ${serviceExitCode}`);

  const cpus = os.cpus();
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version },
        date: new Date().toISOString(),
        durationSecondsPerMix: options.durationSeconds,
        results,
        targets,
        invariants,
        serviceExitCode,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${path.relative(ROOT, RESULTS_FILE)}`);

  const unexpected =
    unexpectedWarmupResponses ||
    results.some((result) => result.non2xx + result.connectionErrors + result.graphqlErrors > 0);
  if (invariants.some((invariant) => !invariant.holds) || unexpected || serviceExitCode !== 0) {
    console.error('loadtest: an invariant or a response check failed');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
