// Test helper: one WebGPU backend per test file, through Dawn in Node (SwiftShader on a machine without a GPU).
import { createNodeWebGpuBackend } from '../../src/backends/webgpu/node-webgpu';
import type { WebGpuBackend } from '../../src/backends/webgpu/webgpu-backend';

let shared: Promise<WebGpuBackend> | null = null;

/** The WebGPU suites fail, never skip, when no adapter is found: a green run must mean the WGSL ran. */
export function webgpuBackend(): Promise<WebGpuBackend> {
  shared ??= createNodeWebGpuBackend();
  return shared;
}
