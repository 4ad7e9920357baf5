// gpu-bench-probe.ts: bundled into dist-gpu-bench/probe.mjs; says which Node runs and which WebGPU adapter Dawn finds, before the benchmark.
//
// gpu-bench.sh runs it with the packed Node. It finds the adapter exactly as the benchmark does
// (findNodeGpu), prints process.execPath (the proof that the packed Node is the one running), the
// adapter's vendor, architecture, description and device, and exits with
//   0  a hardware adapter,
//   3  a software one (SwiftShader, llvmpipe, ...: WebGPU run on the CPU),
//   2  none at all (no Vulkan driver Dawn could use).
import { findNodeGpu } from '../src/backends/webgpu/node-webgpu';
import { isSoftwareAdapter } from '../src/backends/webgpu/webgpu-backend';

const EXIT_SOFTWARE = 3;
const EXIT_NO_ADAPTER = 2;

async function main(): Promise<number> {
  process.stdout.write(`node: ${process.execPath} ${process.version} (${process.platform}-${process.arch})\n`);
  const chosen = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  process.stdout.write(`vulkan drivers: ${chosen ? `chosen by VK_ICD_FILENAMES/VK_DRIVER_FILES: ${chosen}` : "the loader's own search"}\n`);
  let adapter: GPUAdapter;
  try {
    ({ adapter } = await findNodeGpu());
  } catch (error) {
    process.stdout.write(`adapter: none (${(error as Error).message})\n`);
    return EXIT_NO_ADAPTER;
  }
  const info = adapter.info;
  const fields = { vendor: info.vendor, architecture: info.architecture, description: info.description, device: info.device };
  const software = isSoftwareAdapter(info);
  process.stdout.write(
    `adapter: ${Object.entries(fields)
      .map(([k, v]) => `${k}=${JSON.stringify(v ?? '')}`)
      .join(' ')}\n`,
  );
  process.stdout.write(
    `adapter limits: maxComputeWorkgroupStorageSize=${adapter.limits.maxComputeWorkgroupStorageSize} maxBufferSize=${adapter.limits.maxBufferSize}\n`,
  );
  process.stdout.write(`adapter kind: ${software ? 'software (runs on the CPU)' : 'hardware'}\n`);
  return software ? EXIT_SOFTWARE : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`probe failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
