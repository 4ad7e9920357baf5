// The host reads matmul.wgsl's named variants and constants from its source: a renamed variant or a constant out of step fails loudly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAgrees, MatmulNames, parseConstants } from '../src/backends/webgpu/kernels';
import { MAX_FUSED_CLASSES } from '../src/core/backend';
import { PARTIAL_TILE } from '../src/core/metrics-row';

const source = readFileSync(new URL('../shaders/matmul.wgsl', import.meta.url), 'utf8');

describe('matmul.wgsl named variants', () => {
  it('maps a variant to override constants by the names in the shader', () => {
    const names = new MatmulNames(source);
    const constants = parseConstants(source, 'matmul');
    expect(names.overrides({ epilogue: 'SGD_STEP', transA: true, augment: true, loadA: 'GATHERED_U8' })).toEqual({
      EPILOGUE: constants.get('EPILOGUE_SGD_STEP'),
      TRANS_A: 1,
      AUGMENT: 1,
      LOAD_A: constants.get('LOAD_A_GATHERED_U8'),
    });
    expect(names.overrides({ epilogue: 'ACTIVATION', activation: 'sigmoid' })).toEqual({
      EPILOGUE: constants.get('EPILOGUE_ACTIVATION'),
      ACTIVATION: constants.get('ACTIVATION_SIGMOID'),
    });
    // within each family (epilogues, loaders, activations) every name has its own code
    for (const family of ['EPILOGUE_', 'LOAD_A_', 'ACTIVATION_']) {
      const codes = [...constants].filter(([name]) => name.startsWith(family)).map(([, v]) => v);
      expect(new Set(codes).size, family).toBe(codes.length);
    }
  });

  it('the constants the host shares with the shader agree', () => {
    const names = new MatmulNames(source);
    expect(names.constant('TILE')).toBe(PARTIAL_TILE);
    expect(names.constant('NARROW_N')).toBe(MAX_FUSED_CLASSES);
  });

  it('refuses a shader whose variant was renamed, or whose TILE is out of step', () => {
    expect(() => new MatmulNames(source.replace('const EPILOGUE_SGD_STEP', 'const EPILOGUE_SGD'))).toThrow('matmul.wgsl has no const EPILOGUE_SGD_STEP');
    expect(() => new MatmulNames(source.replace('const ACTIVATION_TANH', 'const ACTIVATION_TANH_'))).toThrow('no const ACTIVATION_TANH');
    const shifted = new MatmulNames(source.replace('const TILE: u32 = 32u;', 'const TILE: u32 = 16u;'));
    expect(() => checkAgrees(shifted, 'TILE', 'PARTIAL_TILE', PARTIAL_TILE)).toThrow("matmul.wgsl's TILE is 16 but PARTIAL_TILE is 32: they must agree");
  });
});
