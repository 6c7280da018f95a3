/**
 * The processes a deployment starts are the ones `npm start` and `npm run
 * worker` start: docker-compose's worker command and the Dockerfile's CMD
 * must not drift from package.json (the worker's Node options included, which
 * the tests and the load bench take from package.json).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { nodeOptionsOf } from './support/app-process.js';
import { repoRoot } from './support/paths.js';

const WORKER = 'dist/src/app/worker.js';
const MAIN = 'dist/src/app/main.js';

test('docker-compose runs the worker as npm run worker does, with its Node options', () => {
  const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
    services: { worker: { command: string[] } };
  };
  assert.deepEqual(compose.services.worker.command, ['node', ...nodeOptionsOf(WORKER), WORKER]);
});

test("the Dockerfile's CMD is npm start's command", () => {
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  assert.ok(cmd, 'the Dockerfile has a CMD in exec form');
  assert.deepEqual(JSON.parse(cmd[1]), ['node', ...nodeOptionsOf(MAIN), MAIN]);
});
