// Which WebGPU adapters run on the CPU (where Backend Auto takes the CPU path instead): the adapter's own word, or a software rasteriser's name.
import { describe, expect, it } from 'vitest';
import { isSoftwareAdapter } from '../src/backends/webgpu/webgpu-backend';

describe('software adapters', () => {
  it('knows SwiftShader, llvmpipe, lavapipe and WARP by name, and an adapter that says it is a fallback', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: '' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'lavapipe' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', isFallbackAdapter: true })).toBe(true);
  });

  it('takes real GPUs for what they are', () => {
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: '' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) UHD Graphics 770' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX', isFallbackAdapter: false })).toBe(false);
    expect(isSoftwareAdapter(undefined)).toBe(false);
  });
});
