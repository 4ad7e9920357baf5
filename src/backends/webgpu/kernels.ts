// The WGSL kernel table: which shader file and entry point each op runs, and its storage bindings.

export const SHADER_FILES = ['matmul', 'elementwise', 'reduce', 'softmax_xent', 'sgd'] as const;
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

export const KERNELS = {
  // out, a, b, aux, metrics, labels, features, order (unused bindings get the backend's dummies)
  matmul: { file: 'matmul', entry: 'matmul', storage: ['rw', 'r', 'r', 'r', 'rw', 'r', 'r', 'r'] },
  matmulNarrow: { file: 'matmul', entry: 'matmul_narrow', storage: ['rw', 'r', 'r', 'r', 'rw', 'r', 'r', 'r'] },
  addBias: { file: 'elementwise', entry: 'add_bias', storage: ['rw', 'r'] },
  activationForward: { file: 'elementwise', entry: 'activation_forward', storage: ['rw', 'r'] },
  activationBackward: { file: 'elementwise', entry: 'activation_backward', storage: ['rw', 'r', 'r'] },
  axpy: { file: 'elementwise', entry: 'axpy', storage: ['rw', 'r'] },
  sumInto: { file: 'reduce', entry: 'sum_into', storage: ['rw', 'r'] },
  columnSums: { file: 'reduce', entry: 'column_sums', storage: ['rw', 'r'] },
  softmaxCrossEntropy: { file: 'softmax_xent', entry: 'softmax_cross_entropy', storage: ['rw', 'rw', 'rw', 'r', 'r'] },
  sgdUpdate: { file: 'sgd', entry: 'sgd_update', storage: ['rw', 'r', 'r'] },
} as const satisfies Record<string, KernelSpec>;

export type KernelName = keyof typeof KERNELS;

/** Codes of the `kind` field in elementwise.wgsl. */
export const ACTIVATION_CODES = { relu: 0, sigmoid: 1, tanh: 2, identity: 3 } as const;

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
  fields.forEach((field, i) => {
    const value = values[field.name];
    if (value === undefined) throw new Error(`${file}.wgsl Params.${field.name} was not given`);
    const at = offset + 4 * i;
    if (field.type === 'f32') view.setFloat32(at, value, true);
    else if (field.type === 'i32') view.setInt32(at, value, true);
    else view.setUint32(at, value, true);
  });
}
