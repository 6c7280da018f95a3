/**
 * The GitHub Action as the runner runs it: `action.yml` is read, each
 * step's `${{ ... }}` expressions are evaluated from the inputs (or their
 * defaults) and the runner's context, and each `run:` script is run by bash
 * the way the runner runs `shell: bash` (`bash --noprofile --norc -eo
 * pipefail`), with GITHUB_ACTION_PATH, GITHUB_WORKSPACE, GITHUB_OUTPUT and
 * RUNNER_TEMP set. The action folder is a copy of what a release holds
 * (action files, bin, compiled dist/src, rules, package files), installed
 * from the lockfile by the action's own install step.
 *
 * The install step runs once (it is the same for every input); the scan
 * step runs for each scenario.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from './support/paths.js';
import { parseSarif } from './support/shapes.js';
import { tempDir, writeFiles } from './support/temp.js';

interface Step {
  name: string;
  id?: string;
  shell: string;
  run: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

interface ActionFile {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as ActionFile;

interface Context {
  actionPath: string;
  workspace: string;
  inputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
}

/** The expressions action.yml uses; anything else fails the test rather than being guessed. */
function evaluate(text: string, ctx: Context): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
    let m = /^inputs\.([\w-]+)$/.exec(expr);
    if (m) {
      const given = ctx.inputs[m[1]] as string | undefined;
      return given ?? (action.inputs[m[1]] as { default?: string } | undefined)?.default ?? '';
    }
    if (expr === 'github.action_path') return ctx.actionPath;
    if (expr === 'github.workspace') return ctx.workspace;
    m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
    if (m) return (ctx.steps[m[1]] as Record<string, string> | undefined)?.[m[2]] ?? '';
    throw new Error(`action.yml uses an expression this test does not evaluate: ${expr}`);
  });
}

/** `name=value` lines of a GITHUB_OUTPUT file. */
function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runStep(step: Step, ctx: Context): StepRun {
  assert.equal(step.shell, 'bash', `${step.name}: a bash step`);
  const scratch = tempDir({}, 'ndis-review-step-');
  const script = path.join(scratch, 'step.sh');
  writeFileSync(script, evaluate(step.run, ctx));
  const output = path.join(scratch, 'output');
  writeFileSync(output, '');
  const runnerTemp = path.join(scratch, 'runner-temp');
  mkdirSync(runnerTemp);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // The project's own npm cache: the install step resolves the lockfile offline when it can.
    npm_config_prefer_offline: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: ctx.actionPath,
    GITHUB_WORKSPACE: ctx.workspace,
    GITHUB_OUTPUT: output,
    RUNNER_TEMP: runnerTemp,
  };
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = evaluate(v, ctx);
  const cwd = step['working-directory'] ? evaluate(step['working-directory'], ctx) : ctx.workspace;
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (step.id) ctx.steps[step.id] = readOutputs(output);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function stepNamed(name: string): Step {
  const step = action.runs.steps.find((s) => s.name === name);
  assert.ok(step, `action.yml has a step named ${name}`);
  return step;
}

let actionPath = '';
let install: StepRun | undefined;

/** A workspace that is a repository checkout, with two drivers in subfolders. */
function workspace(): string {
  const ws = tempDir({ '.git/HEAD': 'ref: refs/heads/main\n' }, 'ndis-review-ws-');
  writeFiles(ws, {
    'drivers/ad/init.c': readFileSync(path.join(repoRoot, '../shared/cases/p02-goto-wrong-label/init.c')),
    'drivers/ok/miniport.c': readFileSync(path.join(repoRoot, '../shared/cases/c01-init-direct-ok/miniport.c')),
  });
  return ws;
}

function scan(inputs: Record<string, string>, ws = workspace()) {
  const ctx: Context = { actionPath, workspace: ws, inputs, steps: {} };
  const run = runStep(stepNamed('Scan'), ctx);
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, o]) => [name, evaluate(o.value, ctx)]));
  return { ...run, outputs, ws };
}

before(() => {
  // What a release of the action holds; dist/src as `npm run build` makes it.
  actionPath = tempDir({}, 'ndis-review-action-');
  for (const entry of ['action.yml', 'action', 'bin', 'rules', 'package.json', 'package-lock.json']) {
    cpSync(path.join(repoRoot, entry), path.join(actionPath, entry), { recursive: true });
  }
  cpSync(path.join(repoRoot, 'dist/src'), path.join(actionPath, 'dist/src'), { recursive: true });
  install = runStep(stepNamed('Install ndis-review'), { actionPath, workspace: actionPath, inputs: {}, steps: {} });
});

describe('the GitHub Action', () => {
  it('is a composite action whose steps are all bash', () => {
    assert.equal(action.runs.using, 'composite');
    assert.deepEqual(
      action.runs.steps.map((s) => s.shell),
      ['bash', 'bash'],
    );
    assert.deepEqual(Object.keys(action.inputs).sort(), ['config', 'fail-on', 'path', 'sarif']);
  });

  it('installs from the lockfile without dev dependencies', () => {
    assert.equal(install?.code, 0, `${String(install?.stdout)}\n${String(install?.stderr)}`);
    assert.ok(existsSync(path.join(actionPath, 'node_modules/tree-sitter')));
    assert.ok(!existsSync(path.join(actionPath, 'node_modules/typescript')), 'no dev dependencies');
  });

  it('scans a folder, fails on its error, and has written the SARIF, with paths from the repository top', () => {
    const r = scan({ path: 'drivers/ad' });
    assert.equal(r.code, 1, r.stderr);
    const sarif = r.outputs.sarif;
    assert.ok(sarif.endsWith('drivers_ad.sarif'), sarif);
    const results = parseSarif(readFileSync(sarif, 'utf8')).runs[0].results;
    const uris = results.map((x) => x.locations[0].physicalLocation.artifactLocation.uri);
    assert.deepEqual(uris, ['drivers/ad/init.c']);
    assert.ok(r.stdout.includes(`::add-matcher::${actionPath}/action/problem-matcher.json`));
    assert.ok(r.stdout.includes('::remove-matcher owner=ndis-review::'));
  });

  it('prints findings the problem matcher turns into annotations, at paths from the workspace', () => {
    const r = scan({ path: 'drivers/ad' });
    const matcher = (
      JSON.parse(readFileSync(path.join(repoRoot, 'action/problem-matcher.json'), 'utf8')) as {
        problemMatcher: { pattern: { regexp: string; file: number; line: number; severity: number; code: number }[] }[];
      }
    ).problemMatcher[0].pattern[0];
    const re = new RegExp(matcher.regexp);
    const matched = r.stdout.split('\n').flatMap((line) => {
      const m = re.exec(line);
      return m ? [[m[matcher.file], m[matcher.line], m[matcher.severity], m[matcher.code]]] : [];
    });
    assert.deepEqual(matched, [['drivers/ad/init.c', '63', 'error', 'ndis/unmap-on-failure']]);
    assert.ok(existsSync(path.join(r.ws, matched[0][0])));
  });

  it('passes fail-on: never gives 0 and still writes the SARIF', () => {
    const r = scan({ path: 'drivers/ad', 'fail-on': 'never' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseSarif(readFileSync(r.outputs.sarif, 'utf8')).runs[0].results.length, 1);
  });

  it('takes a configuration file and a SARIF path', () => {
    const ws = workspace();
    writeFiles(ws, { 'ci/ndis.yml': 'rules:\n  ndis/unmap-on-failure: off\n' });
    const r = scan({ path: 'drivers', config: 'ci/ndis.yml', sarif: 'out/ndis.sarif' }, ws);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.outputs.sarif, 'out/ndis.sarif');
    const log = parseSarif(readFileSync(path.join(ws, 'out/ndis.sarif'), 'utf8'));
    assert.deepEqual(log.runs[0].results, []);
  });

  it('scans the whole workspace by default, one SARIF name per folder', () => {
    const r = scan({});
    assert.equal(r.code, 1);
    assert.ok(r.outputs.sarif.endsWith('/ndis-review/workspace.sarif'), r.outputs.sarif);
    assert.ok(r.stdout.includes('drivers/ad/init.c:63:9: error: '));
  });

  it('exits 2 for a bad input, with the reason in the log', () => {
    const r = scan({ path: 'drivers/ad', 'fail-on': 'sometimes' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid --fail-on 'sometimes'/);
  });
});
