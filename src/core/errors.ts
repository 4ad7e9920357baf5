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

/** Throws a ConfigError unless `value` is one of `choices`. */
export function checkChoice<T extends string>(field: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(field, value, `must be one of ${choices.join(', ')}`);
  }
  return value as T;
}
