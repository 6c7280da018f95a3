#!/usr/bin/env node
// eval/materialize.mjs - extract the NDIS miniport evaluation corpus from fetched git snapshots.
//
// Usage:
//   node eval/materialize.mjs [--mirror DIR] [--out DIR]
//
//   --mirror DIR  folder holding the fetched snapshots (default /work/.mirror). A repository
//                 "owner/name" is looked up as DIR/owner+name/repo/.git, DIR/owner+name/repo,
//                 DIR/owner+name (any of them that is a git directory).
//   --out DIR     where drivers are written (default ../corpus next to the repository,
//                 i.e. /work/corpus). Each driver ends up as OUT/<driver id>/<folder as in repo>/...
//
// For every repository in eval/corpus.json it checks that the listed commit is present and then,
// for every driver, replaces OUT/<id> with `git archive <commit> -- <folder> <extraFolders...>`
// unpacked by tar. One line is printed per driver (files, bytes). Repositories missing from the
// mirror (or lacking the commit) are reported and make the script exit with status 1.
// No dependencies beyond node >= 20, git and tar on PATH. Sources are never copied into the repo.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');

function parseArgs(argv) {
  const opts = { mirror: '/work/.mirror', out: path.resolve(repoRoot, '..', 'corpus') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      opts.help = true;
      continue;
    }
    const m = /^--(mirror|out)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument: ${a}`);
    const v = m[2] ?? argv[++i];
    if (!v) throw new Error(`--${m[1]} needs a directory`);
    opts[m[1]] = path.resolve(v);
  }
  return opts;
}

function isGitDir(dir) {
  try {
    return fs.statSync(path.join(dir, 'HEAD')).isFile() && fs.statSync(path.join(dir, 'objects')).isDirectory();
  } catch {
    return false;
  }
}

function findGitDir(mirror, repo) {
  const base = path.join(mirror, repo.replace('/', '+'));
  for (const c of [path.join(base, 'repo', '.git'), path.join(base, 'repo'), base, path.join(base, '.git')]) {
    if (isGitDir(c)) return c;
  }
  return null;
}

function git(gitDir, args, opts = {}) {
  return spawnSync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 2 ** 31 - 1, ...opts });
}

function walk(dir) {
  let files = 0,
    bytes = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const r = walk(p);
      files += r.files;
      bytes += r.bytes;
    } else if (e.isFile()) {
      files++;
      bytes += fs.statSync(p).size;
    }
  }
  return { files, bytes };
}

function extract(gitDir, commit, driver, outRoot) {
  const dest = path.join(outRoot, driver.id);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const paths = [driver.folder, ...(driver.extraFolders ?? [])];
  const ar = git(gitDir, ['archive', '--format=tar', commit, '--', ...paths]);
  if (ar.error) throw new Error(`git archive could not run: ${ar.error.message}`);
  if (ar.status !== 0)
    throw new Error(`git archive failed: ${ar.stderr.toString().trim().split('\n').slice(-2).join(' | ')}`);
  const tar = spawnSync('tar', ['-x', '-C', dest], { input: ar.stdout, maxBuffer: 64 * 1024 * 1024 });
  if (tar.error || tar.status !== 0)
    throw new Error(`tar failed: ${tar.error?.message ?? tar.stderr.toString().trim()}`);
  if (!fs.existsSync(path.join(dest, driver.folder))) throw new Error(`folder ${driver.folder} not in archive`);
  return walk(dest);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log('usage: node eval/materialize.mjs [--mirror DIR] [--out DIR]');
    return 0;
  }
  const manifestPath = path.join(here, 'corpus.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  fs.mkdirSync(opts.out, { recursive: true });
  const seen = new Set();
  let failures = 0,
    drivers = 0,
    totalFiles = 0,
    totalBytes = 0;
  for (const r of manifest.repositories ?? []) {
    const gitDir = findGitDir(opts.mirror, r.repo);
    if (!gitDir) {
      console.error(
        `ERROR ${r.repo}: not found under ${opts.mirror} (expected ${r.repo.replace('/', '+')}/repo); fetch github:${r.repo} first`,
      );
      failures++;
      continue;
    }
    if (git(gitDir, ['cat-file', '-e', `${r.commit}^{commit}`]).status !== 0) {
      console.error(`ERROR ${r.repo}: commit ${r.commit} is not in ${gitDir} (snapshot changed?)`);
      failures++;
      continue;
    }
    for (const d of r.drivers ?? []) {
      if (seen.has(d.id)) {
        console.error(`ERROR ${d.id}: duplicate driver id`);
        failures++;
        continue;
      }
      seen.add(d.id);
      try {
        const { files, bytes } = extract(gitDir, r.commit, d, opts.out);
        drivers++;
        totalFiles += files;
        totalBytes += bytes;
        console.log(
          `${d.id.padEnd(28)} ${String(files).padStart(5)} files ${String(bytes).padStart(10)} bytes  ${r.repo}:${d.folder}`,
        );
      } catch (e) {
        console.error(`ERROR ${d.id} (${r.repo}:${d.folder}): ${e.message}`);
        failures++;
      }
    }
  }
  console.log(`${drivers} drivers, ${totalFiles} files, ${totalBytes} bytes -> ${opts.out}`);
  if (failures) console.error(`${failures} problem(s); see ERROR lines above`);
  return failures ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`materialize: ${e.message}`);
  process.exitCode = 1;
}
