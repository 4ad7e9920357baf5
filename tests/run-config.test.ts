// The run configuration: parsing a control's text, classifying a change, and the URL hash round trip.
import { describe, expect, it } from 'vitest';
import { classifyChange, fromHash, toHash } from '../src/core/run-config';
import { DEFAULT_RUN, parseSetting as parseField } from '../src/core/settings';

describe('run configuration', () => {
  it('parses control text, refusing out-of-range values with the label and range', () => {
    expect(parseField('lr', ' 0.25 ')).toBe(0.25);
    expect(() => parseField('lr', '0')).toThrow('Learning rate 0 is not allowed: must be a number above 0 to 100');
    expect(() => parseField('depth', '2.5')).toThrow('Hidden layers 2.5 is not allowed: must be an integer from 1 to 64');
    expect(() => parseField('lambda', 'abc')).toThrow('Weight decay λ "abc" is not allowed: must be a number from 0 to 100');
    expect(() => parseField('init', 'glorot')).toThrow(/Initializer "glorot" is not allowed: must be one of mxnet-default/);
  });

  it('classifies changes: hyper-parameters, re-initialisation, rebuild', () => {
    const base = { ...DEFAULT_RUN };
    expect(classifyChange(base, { ...base })).toBe('none');
    expect(classifyChange(base, { ...base, lambda: 0.1, lr: 0.2, batchSize: 64 })).toBe('next-step');
    expect(classifyChange(base, { ...base, init: 'zeros', lr: 0.2 })).toBe('re-initialise');
    expect(classifyChange(base, { ...base, sigma: 0.5 })).toBe('re-initialise');
    for (const change of [{ depth: 3 }, { width: 8 }, { activation: 'tanh' }, { dataset: 'xor' }, { backend: 'cpu' }, { seed: 4 }, { model: 'softmax' }]) {
      expect(classifyChange(base, { ...base, ...change } as typeof base)).toBe('rebuild');
    }
  });

  it('round-trips every field through the hash', () => {
    const config = {
      ...DEFAULT_RUN,
      model: 'mlp',
      depth: 7,
      width: 19,
      activation: 'sigmoid',
      init: 'he-normal',
      sigma: 0.3,
      lambda: 0.02,
      lr: 0.7,
      batchSize: 33,
      seed: 123,
      dataset: 'circles',
      noise: 0.4,
      backend: 'cpu',
    } as const;
    const parsed = fromHash(toHash(config));
    expect(parsed.ignored).toEqual([]);
    expect(parsed.config).toEqual(config);
  });

  it('ignores unknown keys and invalid values, keeping the defaults and listing them', () => {
    const parsed = fromHash('#depth=0&lr=0.3&x=1&activation=swish');
    expect(parsed.config.depth).toBe(DEFAULT_RUN.depth);
    expect(parsed.config.activation).toBe(DEFAULT_RUN.activation);
    expect(parsed.config.lr).toBe(0.3);
    expect(parsed.ignored).toEqual([
      'depth=0 (Hidden layers 0 is not allowed: must be an integer from 1 to 64)',
      'x=1 (unknown setting)',
      'activation=swish (Activation "swish" is not allowed: must be one of relu, sigmoid, tanh, identity)',
    ]);
  });
});
