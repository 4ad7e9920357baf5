// WebGPU in Node (CLI, tests, benchmark): Dawn from the `webgpu` package, shaders read from disk.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SHADER_FILES, type ShaderSources } from './kernels';
import { WebGpuBackend, WebGpuUnavailableError } from './webgpu-backend';

/** Debian's chromium ships SwiftShader's Vulkan driver: WebGPU on a machine without a GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const liveInstances: GPU[] = [];

export function loadShadersFromDisk(): ShaderSources {
  const folder = fileURLToPath(new URL('../../../shaders/', import.meta.url));
  const entries = SHADER_FILES.map((name) => [name, readFileSync(`${folder}${name}.wgsl`, 'utf8')] as const);
  return Object.fromEntries(entries) as ShaderSources;
}

/**
 * Finds an adapter through the system's Vulkan drivers, the high-performance one where there are
 * several; when there is none and the user has not chosen a driver (VK_ICD_FILENAMES or the newer
 * loader's VK_DRIVER_FILES), tries SwiftShader. Returns the GPU object that found it
 * (kept alive for the process) and the adapter; throws WebGpuUnavailableError saying why.
 */
export async function findNodeGpu(): Promise<{ gpu: GPU; adapter: GPUAdapter }> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  // a machine with a discrete GPU and a software driver (llvmpipe) gives the GPU
  const options: GPURequestAdapterOptions = { powerPreference: 'high-performance' };
  let gpu = create([]);
  let adapter = await gpu.requestAdapter(options);
  if (!adapter && !process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    gpu = create([]);
    adapter = await gpu.requestAdapter(options);
  }
  // Dawn's instance must outlive every device made from it: if the GPU object is garbage
  // collected, its threads' mutexes go with it and the process aborts mid-run.
  liveInstances.push(gpu);
  if (!adapter) {
    const hint = existsSync(SWIFTSHADER_ICD)
      ? `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? '(unset)'} gave none`
      : `install Debian's chromium (for SwiftShader, ${SWIFTSHADER_ICD}) and libvulkan1, or run on a machine with a Vulkan GPU driver`;
    throw new WebGpuUnavailableError(`no adapter found by Dawn in Node; ${hint}`);
  }
  return { gpu, adapter };
}

export async function createNodeWebGpuBackend(): Promise<WebGpuBackend> {
  const { adapter } = await findNodeGpu();
  return WebGpuBackend.fromAdapter(adapter, loadShadersFromDisk());
}
