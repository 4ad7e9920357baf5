// Layout rules the project keeps: the core never imports the UI, and every source file says what it is in its first line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...filesUnder(path, pattern));
    else if (pattern.test(name)) out.push(path);
  }
  return out;
}

describe('project layout', () => {
  it('src/core and src/backends import no React, zustand or DOM', () => {
    const offenders = [...filesUnder('src/core', /\.tsx?$/), ...filesUnder('src/backends', /\.tsx?$/)].filter((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      return /from ['"](react|react-dom|zustand)|\bdocument\.|\bwindow\./.test(text) || file.endsWith('.tsx');
    });
    expect(offenders).toEqual([]);
  });

  it('src/core imports nothing from Node either (it runs in the browser and its worker)', () => {
    const offenders = filesUnder('src/core', /\.ts$/).filter((file) => /from ['"]node:/.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('no file under src/ is over 400 lines: a file that grows past that holds more than one job', () => {
    const long = filesUnder('src', /\.(tsx?|css)$/).filter((file) => readFileSync(join(root, file), 'utf8').split('\n').length > 400);
    expect(long).toEqual([]);
  });

  it('the README and the docs name no path outside the repository, and no file cites the design notes kept outside it', () => {
    const docs = ['README.md', ...filesUnder('docs', /\.md$/)];
    const outside = docs.filter((file) => /\.\.\/|shared\/DESIGN|\/work\//.test(readFileSync(join(root, file), 'utf8')));
    expect(outside).toEqual([]);
    const sources = [...filesUnder('src', /\.tsx?$/), ...filesUnder('shaders', /\.wgsl$/)];
    expect(sources.filter((file) => /\bDESIGN\b/.test(readFileSync(join(root, file), 'utf8')))).toEqual([]);
  });

  it('every source and shader file opens with a line saying what it is', () => {
    const files = [...filesUnder('src', /\.tsx?$/), ...filesUnder('shaders', /\.wgsl$/), ...filesUnder('tests', /\.ts$/)];
    const silent = files.filter((file) => !/^\/\/ \S.{10,}/.test(readFileSync(join(root, file), 'utf8').split('\n')[0]));
    expect(silent).toEqual([]);
  });
});
