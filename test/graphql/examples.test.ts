/**
 * Every operation in schema/examples.graphql runs against the demo book, in file order, and
 * succeeds with data: the samples in the docs stay working.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Kind, parse, print } from 'graphql';

import type { TestApi } from '../support/graphql-harness';
import { createTestApi, DEMO_BOOK_FILE, readBookJson } from '../support/graphql-harness';

const EXAMPLES_FILE = path.join(__dirname, '..', '..', 'schema', 'examples.graphql');
const operations = parse(readFileSync(EXAMPLES_FILE, 'utf8')).definitions.flatMap((definition) =>
  definition.kind === Kind.OPERATION_DEFINITION ? [definition] : [],
);

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi(readBookJson(DEMO_BOOK_FILE));
});
afterAll(() => api.stop());

it('holds named queries and mutations', () => {
  expect(operations.length).toBeGreaterThanOrEqual(10);
  expect(operations.every((operation) => operation.name !== undefined)).toBe(true);
});

describe.each(operations.map((operation) => [operation.name!.value, operation] as const))(
  '%s',
  (_name, operation) => {
    it('runs without errors and returns data for every root field', async () => {
      const result = await api.execute(print(operation));
      expect(result.errors).toBeUndefined();
      for (const value of Object.values(result.data ?? {})) expect(value).not.toBeNull();
    });
  },
);
