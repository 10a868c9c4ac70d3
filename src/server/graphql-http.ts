/**
 * The common shape of a GraphQL request, served without Express: a POST to exactly /graphql
 * with `Content-Type: application/json` (charset absent or UTF-8), no Content-Encoding, and a
 * Content-Length within MAX_REQUEST_BODY_BYTES. Express's routing, body parser and response
 * wrapping were a third of a light query's CPU time (README "Load test"). It is answered as the
 * Express chain in app.ts would answer it: request id (X-Request-Id), JSON body parsed as
 * body-parser's strict mode does (BOM dropped, empty body as `{}`, only an object or array),
 * the batch guard, then Apollo with the same context, and the same JSON refusals; only the
 * weak ETag Express adds to every answer, which no client can use on a POST, is not sent.
 *
 * Every other request (GET, another path or content type, a compressed or chunked body, one
 * above the limit, which Express refuses with 413 before reading it) goes to Express unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { type ApolloServer, HeaderMap } from '@apollo/server';

import type { GraphQLContext, RequestLogger } from '../graphql/context';
import { type BodyRefusal, refusalBody } from './defences';

export interface GraphQLHttpOptions {
  readonly apollo: ApolloServer<GraphQLContext>;
  readonly maxRequestBodyBytes: number;
  /** The per-request context, as the Express route builds it. */
  readonly context: (request: IncomingMessage, response: ServerResponse) => Promise<GraphQLContext>;
  /** Observability.enterRequestScope and loggerFor. */
  readonly enterRequestScope: (request: IncomingMessage, response: ServerResponse, next: () => void) => void;
  /** Defences.batchRefusal. */
  readonly batchRefusal: (body: unknown) => BodyRefusal | undefined;
  readonly loggerFor: (request: IncomingMessage) => RequestLogger;
}

/** Serves the request and returns true, or returns false without touching it (Express's turn). */
export type GraphQLHttpHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

const JSON_CONTENT_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset[ \t]*=[ \t]*(?:utf-8|"utf-8")[ \t]*)?$/i;
const DECIMAL_LENGTH = /^\d{1,15}$/;
const BYTE_ORDER_MARK = 0xfeff;
/** RFC 8259 whitespace, which body-parser's strict mode skips before the first character. */
const LEADING_JSON_WHITESPACE = /^[ \t\n\r]*/;

export function createGraphQLHttpHandler(options: GraphQLHttpOptions): GraphQLHttpHandler {
  return (request, response) => {
    if (!serves(request, options.maxRequestBodyBytes)) return false;
    options.enterRequestScope(request, response, () => readBody(request, response, options));
    return true;
  };
}

/** Node's parser delivers exactly Content-Length bytes, or fails the request: the limit holds. */
function serves(request: IncomingMessage, maxBytes: number): boolean {
  if (request.method !== 'POST' || request.url !== '/graphql') return false;
  const { headers } = request;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
  const type = headers['content-type'];
  const declared = headers['content-length'];
  if (type === undefined || !JSON_CONTENT_TYPE.test(type)) return false;
  if (declared === undefined || !DECIMAL_LENGTH.test(declared)) return false;
  return Number(declared) <= maxBytes;
}

function readBody(request: IncomingMessage, response: ServerResponse, options: GraphQLHttpOptions): void {
  const chunks: Buffer[] = [];
  let failed = false;
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('error', () => {
    failed = true;
    // body-parser's answer to a body it could not read (the client is usually gone by now).
    refuse(response, { status: 400, code: 'BAD_REQUEST', message: 'Request body could not be read' });
  });
  request.on('end', () => {
    if (failed) return;
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
    answer(request, response, text, options);
  });
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  text: string,
  options: GraphQLHttpOptions,
): void {
  let body: unknown;
  try {
    body = parseStrictJson(text);
  } catch {
    return refuse(response, { status: 400, code: 'BAD_REQUEST', message: 'Request body is not valid JSON' });
  }
  const refusal = options.batchRefusal(body);
  if (refusal !== undefined) return refuse(response, refusal);
  respond(request, response, body, options).catch((error: unknown) => {
    options.loggerFor(request).error({ err: error }, 'GraphQL HTTP response failed');
    if (response.headersSent) return void response.destroy();
    refuse(response, { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  });
}

/** body-parser's strict JSON: an empty body is `{}`; anything but an object or array is refused. */
function parseStrictJson(decoded: string): unknown {
  const text = decoded.charCodeAt(0) === BYTE_ORDER_MARK ? decoded.slice(1) : decoded;
  if (text.length === 0) return {};
  const first = text[0] === '{' || text[0] === '[' ? text[0] : text.replace(LEADING_JSON_WHITESPACE, '')[0];
  if (first !== '{' && first !== '[') throw new SyntaxError('Only a JSON object or array is accepted');
  return JSON.parse(text) as unknown;
}

/** What @as-integrations/express5's middleware does, on Node's own request and response. */
async function respond(
  request: IncomingMessage,
  response: ServerResponse,
  body: unknown,
  options: GraphQLHttpOptions,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body },
    context: () => options.context(request, response),
  });
  for (const [name, value] of result.headers) response.setHeader(name, value);
  response.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    response.setHeader('content-length', Buffer.byteLength(result.body.string));
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

function refuse(response: ServerResponse, refusal: BodyRefusal): void {
  if (response.headersSent || response.destroyed) return;
  const text = refusalBody(refusal);
  response.statusCode = refusal.status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(text));
  response.end(text);
}
