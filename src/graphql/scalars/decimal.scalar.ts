/**
 * `Decimal`: money, prices, quantities and rates cross the API as decimal strings such as
 * "1250000.25". JSON numbers are binary floats, which cannot hold most cent amounts exactly
 * and lose digits past 15-17 significant ones; a string keeps every digit the desk sent.
 *
 * Output: plain decimal text, never exponent notation. Input: a decimal string; a JSON number
 * is accepted too and read through its shortest text form (so 0.1 is "0.1"). Inputs reach the
 * resolvers as canonical strings and are parsed into domain Decimals by the use cases, which
 * own range checks and name the offending field.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

import { DECIMAL_PATTERN, decimalToString, isDecimal } from '../../domain/decimal';

const EXPECTED = 'a decimal string such as "1250000.25"';

function parseDecimalText(value: unknown): string {
  if (typeof value === 'string' && DECIMAL_PATTERN.test(value)) return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    const text = String(value);
    if (DECIMAL_PATTERN.test(text)) return text;
  }
  throw new GraphQLError(`Decimal must be ${EXPECTED}; got ${JSON.stringify(value)}`, {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: `Exact decimal number as text, e.g. "1250000.25" (${EXPECTED}). Used for money, prices, quantities and rates.`,
  serialize(value: unknown): string {
    if (isDecimal(value)) return decimalToString(value);
    return parseDecimalText(value);
  },
  parseValue: parseDecimalText,
  parseLiteral(ast): string {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) {
      const literalDigits = ast.kind === Kind.STRING || DECIMAL_PATTERN.test(ast.value);
      return parseDecimalText(literalDigits ? ast.value : Number(ast.value));
    }
    throw new GraphQLError(`Decimal must be ${EXPECTED}`, { extensions: { code: 'BAD_USER_INPUT' } });
  },
});
