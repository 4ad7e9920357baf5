// The WGSL kernel table and what the host reads from the shader source: the Params struct, and the named variants and constants.
import { ACTIVATIONS, type Activation } from '../../core/settings';

export const SHADER_FILES = ['matmul', 'histogram'] as const;
export type ShaderFile = (typeof SHADER_FILES)[number];

/** WGSL source text of every file in shaders/, by name without the extension. */
export type ShaderSources = Record<ShaderFile, string>;

/** 'rw' binds as read_write storage, 'r' as read-only storage. Binding 0 is always `params`. */
type Access = 'rw' | 'r';

export interface KernelSpec {
  file: ShaderFile;
  entry: string;
  /** Storage bindings 1, 2, … in order. */
  storage: readonly Access[];
}

/** out, a, b, aux, metrics, labels, features, order (unused bindings get the backend's dummies). */
const MATMUL_BINDINGS = ['rw', 'r', 'r', 'r', 'rw', 'r', 'r', 'r'] as const;

export const KERNELS = {
  matmul: { file: 'matmul', entry: 'matmul', storage: MATMUL_BINDINGS },
  matmulNarrow: { file: 'matmul', entry: 'matmul_narrow', storage: MATMUL_BINDINGS },
  /** out (the histogram rows), x */
  histogram: { file: 'histogram', entry: 'histogram', storage: ['rw', 'r'] },
} as const satisfies Record<string, KernelSpec>;

export type KernelName = keyof typeof KERNELS;

/** matmul.wgsl's EPILOGUE_* constants, by name. */
export type Epilogue = 'STORE' | 'ACTIVATION' | 'ACTIVATION_BACKWARD' | 'PARAMETER_GRADIENT' | 'SOFTMAX_CROSS_ENTROPY' | 'SGD_STEP';
/** matmul.wgsl's LOAD_A_* constants, by name. */
export type LoadA = 'STORED' | 'GATHERED_F32' | 'GATHERED_U8';

const EPILOGUES: readonly Epilogue[] = ['STORE', 'ACTIVATION', 'ACTIVATION_BACKWARD', 'PARAMETER_GRADIENT', 'SOFTMAX_CROSS_ENTROPY', 'SGD_STEP'];
const LOADERS: readonly LoadA[] = ['STORED', 'GATHERED_F32', 'GATHERED_U8'];

/** One specialisation of the matmul family, by name: what the host asks for. */
export interface MatmulVariant {
  transA?: boolean;
  transB?: boolean;
  /** op(a) gains a ones column (or row, with transA): [H | 1] · [W; b]. */
  augment?: boolean;
  loadA?: LoadA;
  labelsGathered?: boolean;
  epilogue: Epilogue;
  activation?: Activation;
  /** The narrow kernel's groups of four columns, ceil(N / 4) (NARROW_GROUPS). */
  groups?: number;
  /** The 32×32-tiled kernel takes k one at a time instead of in steps of four (QUADS = false): a third of the time to compile, for small products. */
  single?: boolean;
}

/**
 * The named constants of matmul.wgsl (EPILOGUE_*, LOAD_A_*, ACTIVATION_*, TILE, NARROW_N) read from
 * its source, and the override constants of a variant made from them.
 */
export class MatmulNames {
  private readonly values: Map<string, number>;

  constructor(source: string) {
    this.values = parseConstants(source, 'matmul');
    // every name the host can ask for exists: a renamed variant fails here, not at its first dispatch
    for (const e of EPILOGUES) this.constant(`EPILOGUE_${e}`);
    for (const l of LOADERS) this.constant(`LOAD_A_${l}`);
    for (const a of ACTIVATIONS) this.constant(activationName(a));
  }

  /** A `const NAME: u32 = …u;` of the shader; throws naming it when the shader has none. */
  constant(name: string): number {
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`matmul.wgsl has no const ${name}`);
    return value;
  }

  /** The override constants of a variant (only those that differ from the shader's defaults are set). */
  overrides(v: MatmulVariant): Record<string, number> {
    const constants: Record<string, number> = { EPILOGUE: this.constant(`EPILOGUE_${v.epilogue}`) };
    if (v.transA) constants.TRANS_A = 1;
    if (v.transB) constants.TRANS_B = 1;
    if (v.augment) constants.AUGMENT = 1;
    if (v.loadA && v.loadA !== 'STORED') constants.LOAD_A = this.constant(`LOAD_A_${v.loadA}`);
    if (v.labelsGathered) constants.LABELS_GATHERED = 1;
    if (v.activation) constants.ACTIVATION = this.constant(activationName(v.activation));
    if (v.groups) constants.NARROW_GROUPS = v.groups;
    if (v.single) constants.QUADS = 0;
    return constants;
  }
}

function activationName(a: Activation): string {
  return `ACTIVATION_${a.toUpperCase()}`;
}

/** Every `const NAME: u32 = 12u;` at the start of a line of a WGSL source. */
export function parseConstants(source: string, file: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of source.matchAll(/^const\s+(\w+)\s*:\s*u32\s*=\s*(\d+)u\s*;/gm)) {
    if (values.has(match[1])) throw new Error(`${file}.wgsl declares const ${match[1]} twice`);
    values.set(match[1], Number(match[2]));
  }
  return values;
}

/** Throws unless the shader's constant equals the host's: constants that must agree are checked, not trusted. */
export function checkAgrees(names: MatmulNames, shaderName: string, hostName: string, hostValue: number): void {
  const shaderValue = names.constant(shaderName);
  if (shaderValue !== hostValue) throw new Error(`matmul.wgsl's ${shaderName} is ${shaderValue} but ${hostName} is ${hostValue}: they must agree`);
}

export interface ParamField {
  name: string;
  type: 'u32' | 'f32' | 'i32';
}

/**
 * Reads `struct Params { … }` from WGSL source. Uniform layouts are derived from the shader,
 * never counted by hand: every field is a 4-byte scalar, so field i sits at byte 4·i.
 */
export function parseParamsStruct(source: string, file: string): ParamField[] {
  const match = /struct\s+Params\s*\{([^}]*)\}/.exec(source);
  if (!match) throw new Error(`${file}.wgsl has no struct Params`);
  const body = match[1].replace(/\/\/[^\n]*/g, '');
  const fields: ParamField[] = [];
  for (const part of body.split(',')) {
    const text = part.trim();
    if (!text) continue;
    const field = /^(\w+)\s*:\s*(\w+)$/.exec(text);
    if (!field || !['u32', 'f32', 'i32'].includes(field[2])) {
      throw new Error(`${file}.wgsl: Params field "${text}" is not a u32, i32 or f32 scalar`);
    }
    fields.push({ name: field[1], type: field[2] as ParamField['type'] });
  }
  return fields;
}

/**
 * Packs named values into `view` at `offset` in the order of the WGSL struct. Throws when a
 * field is missing or a value names no field, so a shader edit cannot silently shift a layout.
 */
export function packParams(fields: readonly ParamField[], values: Record<string, number>, view: DataView, offset: number, file: string): void {
  const given = Object.keys(values);
  if (given.length !== fields.length) {
    const expected = fields.map((f) => f.name).join(', ');
    throw new Error(`${file}.wgsl Params has fields ${expected}; got ${given.join(', ')}`);
  }
  for (const [i, field] of fields.entries()) {
    const value = values[field.name];
    if (value === undefined) throw new Error(`${file}.wgsl Params.${field.name} was not given`);
    const at = offset + 4 * i;
    if (field.type === 'f32') view.setFloat32(at, value, true);
    else if (field.type === 'i32') view.setInt32(at, value, true);
    else view.setUint32(at, value, true);
  }
}
