import { Types } from 'mongoose';

import { dec } from '../../src/domain/decimal';
import { ValidationError } from '../../src/domain/errors';
import { fromDecimal128, toDecimal128 } from '../../src/store/mongo/decimal128';

describe('toDecimal128 and fromDecimal128', () => {
  it.each([
    ['12345678901234567890.12345678901234', '12345678901234567890.12345678901234'],
    ['-2500000.5', '-2500000.5'],
    ['0.000001', '0.000001'],
    ['25000000', '25000000'],
    ['0', '0'],
  ])('stores %s as the Decimal128 text %s and reads it back unchanged', (input, stored) => {
    const converted = toDecimal128(dec(input));
    expect(converted).toBeInstanceOf(Types.Decimal128);
    expect(converted.toString()).toBe(stored);
    expect(fromDecimal128(converted).toFixed()).toBe(input);
  });

  it('uses exponent form where plain text would exceed 34 digits, without losing the value', () => {
    expect(toDecimal128(dec('1e40')).toString()).toBe('1E+40');
    expect(fromDecimal128(toDecimal128(dec('1e40'))).equals(dec('1e40'))).toBe(true);
    expect(toDecimal128(dec('1e-40')).toString()).toBe('1E-40');
    expect(toDecimal128(dec('1.5e-39')).toString()).toBe('1.5E-39');
    expect(fromDecimal128(toDecimal128(dec('1.5e-39'))).toFixed()).toBe(
      '0.0000000000000000000000000000000000000015',
    );
  });

  it('refuses 35 significant digits instead of rounding, naming the field', () => {
    const tooLong = dec('1.234567890123456789012345678901234' + '5');
    expect(() => toDecimal128(tooLong, 'assets[2].price')).toThrow(ValidationError);
    expect(() => toDecimal128(tooLong, 'assets[2].price')).toThrow(
      /assets\[2\]\.price .*more than 34 significant digits/,
    );
  });

  it('refuses exponents outside the Decimal128 range and non-finite values', () => {
    expect(() => toDecimal128(dec('1e7000'))).toThrow(ValidationError);
    expect(() => toDecimal128(dec('1e-7000'))).toThrow(ValidationError);
    expect(() => toDecimal128(dec(Number.NaN))).toThrow(ValidationError);
    expect(() => toDecimal128(dec(Number.POSITIVE_INFINITY))).toThrow(ValidationError);
  });

  it('reads the forms a server may hand back: trailing zeros, exponents, negative zero', () => {
    expect(fromDecimal128(Types.Decimal128.fromString('1.50')).toFixed()).toBe('1.5');
    expect(fromDecimal128(Types.Decimal128.fromString('1.0E+3')).toFixed()).toBe('1000');
    expect(fromDecimal128(Types.Decimal128.fromString('0E-6')).isZero()).toBe(true);
    expect(fromDecimal128(Types.Decimal128.fromString('-0')).isZero()).toBe(true);
  });

  it('treats a stored NaN or infinity as corrupt data', () => {
    expect(() => fromDecimal128(Types.Decimal128.fromString('NaN'))).toThrow(/not a finite number/);
    expect(() => fromDecimal128(Types.Decimal128.fromString('-Infinity'))).toThrow(/not a finite number/);
  });
});
