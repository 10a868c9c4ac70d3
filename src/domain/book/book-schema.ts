/**
 * Shape validation of book files against schema/book.schema.json, the format's normative
 * description. The schema is read from disk once, compiled once, and its raw ajv errors are
 * turned into one FieldIssue per failing field, named the way users write paths
 * (`accounts[3].eligibility[0].haircut`).
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { readFileSync } from 'fs';
import { resolve } from 'path';

import { childPath, type FieldIssue } from '../errors';

/** src/domain/book and dist/domain/book both sit three levels below the repository root. */
export const BOOK_SCHEMA_PATH = resolve(__dirname, '../../../schema/book.schema.json');

/** Annotation keyword on a schema definition: the message a user sees when a value fails it. */
const MESSAGE_KEYWORD = 'x-message';

interface CompiledBookSchema {
  readonly ajv: Ajv2020;
  readonly schemaId: string;
  readonly validateBook: ValidateFunction;
  readonly defValidators: Map<string, ValidateFunction>;
}

let compiled: CompiledBookSchema | undefined;

function bookSchema(): CompiledBookSchema {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(BOOK_SCHEMA_PATH, 'utf8')) as { $id: string };
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
  ajv.addKeyword({ keyword: MESSAGE_KEYWORD, schemaType: 'string' });
  const validateBook = ajv.compile(schema);
  compiled = { ajv, schemaId: schema.$id, validateBook, defValidators: new Map() };
  return compiled;
}

/** Every shape problem of a whole book file; empty when the file matches the schema. */
export function validateBookShape(json: unknown): FieldIssue[] {
  const { validateBook } = bookSchema();
  if (validateBook(json)) return [];
  return toFieldIssues(validateBook.errors ?? [], json, '');
}

/**
 * Shape problems of one element against `$defs/<defName>` (an asset, an account, a requirement,
 * ...), with paths under `pathPrefix`, e.g. `input.eligibility[0].haircut`.
 * Throws a plain Error for a definition the schema does not have: that is a programming mistake.
 */
export function validateDefShape(defName: string, value: unknown, pathPrefix: string): FieldIssue[] {
  const schema = bookSchema();
  let validate = schema.defValidators.get(defName);
  if (!validate) {
    validate = schema.ajv.getSchema(`${schema.schemaId}#/$defs/${defName}`);
    if (!validate) throw new Error(`book schema has no definition '${defName}'`);
    schema.defValidators.set(defName, validate);
  }
  if (validate(value)) return [];
  return toFieldIssues(validate.errors ?? [], value, pathPrefix);
}

const COMBINATORS = new Set(['anyOf', 'oneOf']);

/**
 * Collapses ajv's error list to one issue per field. A value that fails an `anyOf` of a decimal
 * kind produces an error per branch plus one for the anyOf; only the anyOf is kept, worded by the
 * definition's x-message. `if` errors only repeat what the `then` branch already reported.
 */
function toFieldIssues(errors: readonly ErrorObject[], root: unknown, pathPrefix: string): FieldIssue[] {
  const combinatorErrors = errors.filter((error) => COMBINATORS.has(error.keyword));
  const isBranchError = (error: ErrorObject): boolean =>
    combinatorErrors.some(
      (combinator) =>
        combinator !== error &&
        combinator.instancePath === error.instancePath &&
        error.schemaPath.startsWith(`${combinator.schemaPath}/`),
    );

  const issues: FieldIssue[] = [];
  const seenPaths = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if' || isBranchError(error)) continue;
    const issue = toFieldIssue(error, errors, root, pathPrefix);
    if (seenPaths.has(issue.path)) continue;
    seenPaths.add(issue.path);
    issues.push(issue);
  }
  return issues;
}

function toFieldIssue(
  error: ErrorObject,
  allErrors: readonly ErrorObject[],
  root: unknown,
  pathPrefix: string,
): FieldIssue {
  const path = pointerToPath(error.instancePath, root, pathPrefix);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: childPath(path, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { path: childPath(path, String(params.additionalProperty)), message: 'is not a known property' };
    case 'propertyNames':
      return { path: childPath(path, String(params.propertyName)), message: 'is not a valid property name' };
  }
  // An error raised inside `propertyNames` is about the key, not the value under it.
  const fieldPath = error.propertyName === undefined ? path : childPath(path, error.propertyName);
  const custom = definitionMessage(error);
  if (custom) return { path: fieldPath, message: custom };
  switch (error.keyword) {
    case 'enum':
      return { path: fieldPath, message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { path: fieldPath, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'type':
      return { path: fieldPath, message: `must be ${article(String(params.type))}` };
    case 'anyOf':
    case 'oneOf':
      return { path: fieldPath, message: combinatorMessage(error, allErrors) };
    default:
      return { path: fieldPath, message: error.message ?? `fails ${error.keyword}` };
  }
}

function definitionMessage(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  const message = parent?.[MESSAGE_KEYWORD];
  return typeof message === 'string' ? message : undefined;
}

/** Wording for an anyOf without x-message; in this schema that is "give at least one of these fields". */
function combinatorMessage(combinator: ErrorObject, allErrors: readonly ErrorObject[]): string {
  const branches = allErrors.filter(
    (error) =>
      error.instancePath === combinator.instancePath &&
      error.schemaPath.startsWith(`${combinator.schemaPath}/`),
  );
  if (branches.length > 0 && branches.every((error) => error.keyword === 'required')) {
    const names = branches.map((error) => String((error.params as Record<string, unknown>).missingProperty));
    return `must have at least one of ${names.join(', ')}`;
  }
  return branches[0]?.message ?? combinator.message ?? 'is not valid';
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'an object',
    array: 'an array',
    integer: 'an integer',
    string: 'a string',
    number: 'a number',
    boolean: 'a boolean',
    null: 'null',
  };
  return names[type] ?? `of type ${type}`;
}

/**
 * Turns a JSON pointer (`/accounts/3/eligibility/0/haircut`) into a user path
 * (`accounts[3].eligibility[0].haircut`). The data is walked alongside so that array indices and
 * object keys that happen to be digits are told apart.
 */
function pointerToPath(pointer: string, root: unknown, pathPrefix: string): string {
  if (pointer === '') return pathPrefix;
  let path = pathPrefix;
  let node: unknown = root;
  for (const rawSegment of pointer.slice(1).split('/')) {
    const segment = rawSegment.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(segment);
      path = childPath(path, index);
      node = node[index];
    } else {
      path = childPath(path, segment);
      node =
        node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}
