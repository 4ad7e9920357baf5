// The train CLI: every bad flag or value is refused with its name, value and range; real runs print JSON lines.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/cli/args';

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`parseArgs accepted ${argv.join(' ')}`);
}

describe('parseArgs refuses bad input, naming the flag, the value and what is allowed', () => {
  const cases: [string[], RegExp][] = [
    [['--nope', '1'], /unknown flag --nope: allowed are .*--lambda/],
    [['--lr', 'abc'], /--lr "abc" is not a number: must be a number above 0 to 100/],
    [['--lr', '0'], /--lr 0 is not allowed: must be a number above 0 to 100/],
    [['--lambda', '-0.1'], /--lambda -0.1 is not allowed: must be a number from 0 to 100/],
    [['--model', 'mlp', '--depth', '0'], /--depth 0 is not allowed: must be an integer from 1 to 64/],
    [['--model', 'mlp', '--depth', '65'], /--depth 65 is not allowed: must be an integer from 1 to 64/],
    [['--model', 'mlp', '--hidden', '1025'], /--hidden 1025 is not allowed: must be an integer from 1 to 1024/],
    [['--model', 'mlp', '--hidden', '2.5'], /--hidden 2.5 is not allowed: must be an integer/],
    [['--batch', '0'], /--batch 0 is not allowed: must be an integer from 1 to 4096/],
    [['--init', 'glorot'], /--init "glorot" is not allowed: must be one of mxnet-default, xavier-uniform, normal, he-normal, zeros/],
    [['--activation', 'gelu', '--model', 'mlp'], /--activation "gelu" is not allowed: must be one of relu, sigmoid, tanh, identity/],
    [['--dataset', 'mnist'], /--dataset "mnist" is not allowed: must be one of fashion-mnist, spiral/],
    [['--backend', 'cuda'], /--backend "cuda" is not allowed: must be one of cpu, webgpu/],
    [['--sigma', '0'], /--sigma 0 is not allowed: must be a number above 0/],
    [['--epochs'], /--epochs needs a value/],
    [['--seed', '-1'], /--seed -1 is not allowed: must be an integer from 0 to 4294967295/],
    [['--steps', 'NaN'], /--steps "NaN" is not a number/],
    [['--lr', ''], /--lr "" is not a number/],
    [['--depth', '3'], /--depth 3 is not allowed with --model softmax/],
    [['lr', '0.1'], /unexpected argument "lr"/],
    [['--lr', '0.1', '--lr', '0.2'], /--lr is given twice/],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' '), () => {
      expect(usageError(argv)).toMatch(message);
    });
  }

  it('accepts the d2l settings and maps them onto the configuration', () => {
    const options = parseArgs(['--model', 'mlp', '--hidden=256', '--lr', '0.5', '--init', 'normal', '--sigma', '0.01', '--steps', '3']);
    expect(options.config).toMatchObject({ model: 'mlp', depth: 1, width: 256, lr: 0.5, init: 'normal', sigma: 0.01, batchSize: 256 });
    expect(options.steps).toBe(3);
    expect(options.backend).toBe('cpu');
  });
});

describe('npm run train, as a process', () => {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const script = fileURLToPath(new URL('../src/cli/train.ts', import.meta.url));
  const train = (args: string[]) => spawnSync(tsx, [script, ...args], { encoding: 'utf8', timeout: 120_000 });

  it('exits 2 with one line naming the flag for a bad value', () => {
    const result = train(['--model', 'mlp', '--depth', '400']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(['error: --depth 400 is not allowed: must be an integer from 1 to 64']);
    expect(result.stdout).toBe('');
  });

  it('prints one JSON object per epoch with every field', () => {
    const result = train([
      '--dataset',
      'blobs',
      '--model',
      'mlp',
      '--depth',
      '2',
      '--hidden',
      '8',
      '--init',
      'xavier-uniform',
      '--lr',
      '0.5',
      '--epochs',
      '2',
      '--batch',
      '100',
    ]);
    expect(result.status).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['backend', 'epoch', 'gradNorms', 'l2', 'loss', 'seconds', 'steps', 'testAcc', 'testLoss', 'trainAcc'].sort());
      expect(line.gradNorms).toHaveLength(3);
      expect(line.backend).toMatch(/^CPU/);
    }
    expect(lines[1].loss).toBeLessThan(lines[0].loss);
  });

  it('reports a diverging run as diverged at a step, exit 3, and prints no NaN', () => {
    const result = train([
      '--model',
      'mlp',
      '--depth',
      '10',
      '--hidden',
      '32',
      '--activation',
      'identity',
      '--init',
      'normal',
      '--sigma',
      '10',
      '--dataset',
      'spiral',
      '--lr',
      '1',
      '--steps',
      '50',
    ]);
    expect(result.status).toBe(3);
    const last = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(last.diverged.step).toBeGreaterThanOrEqual(1);
    // the reason may say "NaN" in words; no number in the JSON is NaN (which JSON would print as null)
    expect(result.stdout).not.toMatch(/null/);
    expect(last.diverged.reason).toMatch(/^the (loss|L2 term|gradient norm of layer \d+) is (NaN|Infinity|-Infinity)$/);
    expect(result.stderr).toMatch(/diverged at step \d+: .*Try a smaller --lr/);
  });
});
