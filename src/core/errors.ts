// Errors the core raises for bad input: each names the field, the value and what is allowed.

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${field} ${formatValue(value)} is not allowed: ${allowed}`);
    this.name = 'ConfigError';
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** The range a number may take, in words: `an integer from 1 to 64`, `a number above 0 to 100`. */
export function describeRange(min: number, max: number, options: { integer?: boolean; minExclusive?: boolean } = {}): string {
  const kind = options.integer ? 'an integer' : 'a number';
  const low = options.minExclusive ? `above ${min}` : `from ${min}`;
  return max === Infinity ? `${kind} ${options.minExclusive ? low : `of at least ${min}`}` : `${kind} ${low} to ${max}`;
}

/** Throws a ConfigError unless `value` is a finite number in [min, max] (and an integer if asked). */
export function checkNumber(field: string, value: unknown, min: number, max: number, options: { integer?: boolean; minExclusive?: boolean } = {}): number {
  const range = describeRange(min, max, options);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(field, value, `must be ${range}`);
  if (options.integer && !Number.isInteger(value)) throw new ConfigError(field, value, `must be ${range}`);
  if (value > max || value < min || (options.minExclusive && value === min)) {
    throw new ConfigError(field, value, `must be ${range}`);
  }
  return value;
}

/**
 * The one way a person writes a number, in a control, the URL hash or a flag of `npm run train`:
 * an optional minus, decimal digits, optionally a point with digits on both sides, optionally an
 * exponent (`5`, `-0.5`, `0.01`, `1e-3`, `2.5E+2`, `007`). It is the form `String(x)` writes for
 * every finite x. Not `.5`, `5.`, `+5`, `0x10`, `0b1`, `0o7`, `1_000`, `Infinity`, `NaN`, nor
 * blanks inside; blanks around the number are trimmed.
 */
export const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** The grammar in words, after the range in a refusal: `must be a number from 0 to 100, written in decimal, like 0.01 or 1e-3`. */
export function decimalWords(options: { integer?: boolean } = {}): string {
  return `written in decimal, like ${options.integer ? '16' : '0.01 or 1e-3'}`;
}

/** The number `text` writes in the one grammar (DECIMAL), or null if it is written any other way; -0 reads as 0. */
export function parseDecimal(text: string): number | null {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return null;
  const value = Number(trimmed);
  return value === 0 ? 0 : value;
}

/**
 * Reads a number a person typed and checks its range (see checkNumber); throws a ConfigError with
 * the text as typed when it is not written as DECIMAL says, or when its range check fails on a
 * value written other than as its own decimal form (`1e400`, `0.50` for an integer).
 */
export function parseNumber(field: string, text: string, min: number, max: number, options: { integer?: boolean; minExclusive?: boolean } = {}): number {
  const value = parseDecimal(text);
  if (value === null) throw new ConfigError(field, text, `must be ${describeRange(min, max, options)}, ${decimalWords(options)}`);
  try {
    return checkNumber(field, value, min, max, options);
  } catch (error) {
    if (error instanceof ConfigError && String(value) !== text.trim()) throw new ConfigError(field, text, error.allowed);
    throw error;
  }
}

/** Throws a ConfigError unless `value` is one of `choices`. */
export function checkChoice<T extends string>(field: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(field, value, `must be one of ${choices.join(', ')}`);
  }
  return value as T;
}
