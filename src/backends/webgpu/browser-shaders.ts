// WGSL sources for the browser build: every shaders/*.wgsl bundled as a string by Vite.
import { SHADER_FILES, type ShaderSources } from './kernels';

const modules = import.meta.glob('../../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export function bundledShaders(): ShaderSources {
  const byName = Object.fromEntries(Object.entries(modules).map(([path, source]) => [path.replace(/^.*\/(\w+)\.wgsl$/, '$1'), source]));
  for (const file of SHADER_FILES) {
    if (typeof byName[file] !== 'string') throw new Error(`shaders/${file}.wgsl is missing from the bundle`);
  }
  return byName as ShaderSources;
}
