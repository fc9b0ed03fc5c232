// Fetches one package from a newer Debian suite than the machine runs, without root and without apt:
// the archive's address comes from the machine's own apt sources (never written into the repository),
// the package list names the file and its SHA-256, and `dpkg -x` unpacks it into a folder of ours.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { SetupError, capture } from './proc.mjs';

const APT_SOURCES_DIR = '/etc/apt/sources.list.d';
const APT_SOURCES_LIST = '/etc/apt/sources.list';

/** A suite of the main archive (not `-security`, `-updates`, `-backports`, which live apart). */
const isMainSuite = (suite) => !/-(security|updates|backports)$/.test(suite);

/** URIs of deb822 `.sources` stanzas that carry a main-archive suite with the `main` component. */
function deb822Uris(text) {
  const uris = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name) =>
      new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim().split(/\s+/) ?? [];
    if (!field('Types').includes('deb') || !field('Components').includes('main')) continue;
    if (field('Suites').some(isMainSuite)) uris.push(...field('URIs'));
  }
  return uris;
}

/** URIs of one-line `deb [options] URI suite components…` entries. */
function oneLineUris(text) {
  const uris = [];
  for (const line of text.split('\n')) {
    const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line.trim());
    if (match && isMainSuite(match[2]) && match[3].split(/\s+/).includes('main')) {
      uris.push(match[1]);
    }
  }
  return uris;
}

function readIfExists(file) {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/**
 * The Debian archive this machine's apt sources point at, e.g. `http://<mirror>/debian` (the
 * first `deb` entry with a main-archive suite and the main component). The paths are for tests.
 */
export function debianArchiveUrl(sourcesDir = APT_SOURCES_DIR, sourcesList = APT_SOURCES_LIST) {
  const files = existsSync(sourcesDir) ? readdirSync(sourcesDir).sort() : [];
  const uris = [
    ...files
      .filter((f) => f.endsWith('.sources'))
      .flatMap((f) => deb822Uris(readIfExists(path.join(sourcesDir, f)))),
    ...oneLineUris(readIfExists(sourcesList)),
    ...files
      .filter((f) => f.endsWith('.list'))
      .flatMap((f) => oneLineUris(readIfExists(path.join(sourcesDir, f)))),
  ].filter((uri) => /^https?:\/\//.test(uri));
  if (uris.length === 0) {
    throw new SetupError(
      `no Debian archive in ${sourcesDir}/*.sources or ${sourcesList} (a "deb" entry with the main component)`,
    );
  }
  return uris[0].replace(/\/+$/, '');
}

async function download(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new SetupError(`cannot download ${url}: ${err.cause?.message ?? err.message}`);
  }
  if (!response.ok) throw new SetupError(`cannot download ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

function debianArchitecture() {
  const res = capture('dpkg', ['--print-architecture']);
  if (res.status !== 0) {
    throw new SetupError(`dpkg --print-architecture failed: ${res.stderr.trim()}`);
  }
  return res.stdout.trim();
}

/** `{ version, filename, sha256 }` of `name` in a Packages file, or undefined. */
export function findPackage(index, name) {
  for (const stanza of index.split(/\n\s*\n/)) {
    const field = (key) => new RegExp(`^${key}:\\s*(\\S+)`, 'm').exec(stanza)?.[1];
    if (field('Package') !== name) continue;
    return { version: field('Version'), filename: field('Filename'), sha256: field('SHA256') };
  }
  return undefined;
}

/** The entry of `name` in the first of `suites` whose package list has it. */
export async function findInSuites(archive, name, suites) {
  const arch = debianArchitecture();
  for (const suite of suites) {
    const url = `${archive}/dists/${suite}/main/binary-${arch}/Packages.xz`;
    const unpacked = capture('xz', ['-dc'], {
      input: await download(url),
      maxBuffer: 512 * 1024 * 1024,
    });
    if (unpacked.status !== 0) {
      throw new SetupError(`cannot unpack ${url}: ${unpacked.stderr.trim()}`);
    }
    const entry = findPackage(unpacked.stdout, name);
    if (entry?.filename && entry.sha256) return { ...entry, suite };
  }
  throw new SetupError(`${name} is in none of the suites ${suites.join(', ')} of ${archive}`);
}

/** Downloads the package file, checks its SHA-256 and `dpkg -x`es it into `destDir` (no root). */
export async function extractPackage(archive, entry, destDir) {
  const url = `${archive}/${entry.filename}`;
  const bytes = await download(url);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== entry.sha256) {
    throw new SetupError(`${url}: SHA-256 ${actual} does not match the archive's ${entry.sha256}`);
  }
  // Unpacked beside the destination and renamed: an interrupted run never leaves half a folder.
  const partial = `${destDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const debFile = path.join(partial, path.basename(entry.filename));
  writeFileSync(debFile, bytes);
  const res = capture('dpkg', ['-x', debFile, partial]);
  if (res.status !== 0) throw new SetupError(`dpkg -x ${debFile} failed: ${res.stderr.trim()}`);
  rmSync(debFile);
  rmSync(destDir, { recursive: true, force: true });
  renameSync(partial, destDir);
}
