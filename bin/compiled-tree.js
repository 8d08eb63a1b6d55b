// deployctl runs compiled JavaScript, not the TypeScript sources through tsx: tsx's
// loader is a thread of its own with its own heap and keeps every transformed file,
// which cost a deploy worker 60 to 75 MB for as long as it runs. The sources are
// compiled file by file (esbuild: types stripped, one .js per .ts, same layout) into
// .build/<hash of the sources>/ by the first process that starts after they change,
// so what runs is always what is checked out. A checkout that cannot write there
// (a read-only install that skipped `npm run build`) runs the sources through tsx.
//   node bin/compiled-tree.js     builds the tree now and prints its directory
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Everything deployctl's processes load from the checkout. */
const SOURCE_DIRS = ['activities', 'client', 'codec', 'domain', 'worker', 'workflows'];
const BUILD_DIR = path.join(ROOT, '.build');
/** A build is complete once this file exists in it. */
const COMPLETE = 'complete';
const COMPILE = { loader: 'ts', format: 'esm', target: 'node20' };
/**
 * Files bundled with the packages they re-export, not compiled alone: the worker's door to the
 * Kubernetes client, so only the part of the package it uses is loaded (see that file).
 */
const BUNDLED = new Set(['activities/kubernetes-client.ts']);
/** Trees of other sources are removed once this old: a process started from one may still import from it. */
const STALE_MS = 24 * 3600_000;

/** The directory of the compiled tree of the current sources, built if needed; undefined when it cannot be. */
export async function compiledTree() {
  const sources = sourceFiles();
  const dir = path.join(BUILD_DIR, await hashOf(sources));
  if (fs.existsSync(path.join(dir, COMPLETE))) return dir;
  try {
    await build(sources, dir);
    return dir;
  } catch (err) {
    if (err?.code === 'EACCES' || err?.code === 'EROFS' || err?.code === 'EPERM') return undefined;
    throw err;
  }
}

function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts') && !file.endsWith('.d.ts')) files.push(file);
    }
  };
  SOURCE_DIRS.forEach(walk);
  return files;
}

/** Names and contents of the sources, the tsconfig, the compiler's version and the locked packages (a bundle holds some). */
async function hashOf(sources) {
  const hash = crypto.createHash('sha256').update(esbuildVersion());
  for (const file of ['tsconfig.json', 'package-lock.json']) if (fs.existsSync(path.join(ROOT, file))) hash.update(fs.readFileSync(path.join(ROOT, file)));
  for (const file of sources) hash.update(file).update('\0').update(fs.readFileSync(path.join(ROOT, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function esbuildVersion() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
}

/** Compiles into a directory of its own and renames it into place: processes starting at once never see half a tree. */
async function build(sources, dir) {
  const esbuild = await import('esbuild');
  const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'));
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  const partial = fs.mkdtempSync(path.join(BUILD_DIR, 'partial-'));
  try {
    for (const file of sources) {
      const out = path.join(partial, file.replace(/\.ts$/, '.js'));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      if (BUNDLED.has(file)) await bundle(esbuild, file, out, compilerOptions);
      else fs.writeFileSync(out, (await esbuild.transform(fs.readFileSync(path.join(ROOT, file), 'utf8'), { ...COMPILE, sourcefile: file, tsconfigRaw: { compilerOptions } })).code);
    }
    fs.writeFileSync(path.join(partial, COMPLETE), '');
    fs.renameSync(partial, dir);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    // Another process built the same tree first.
    if (fs.existsSync(path.join(dir, COMPLETE))) return;
    throw err;
  }
  removeStaleTrees(dir);
}

/** One file and what it imports from packages, tree-shaken to the names it exports. */
async function bundle(esbuild, file, outfile, compilerOptions) {
  await esbuild.build({
    entryPoints: [path.join(ROOT, file)],
    outfile,
    bundle: true,
    platform: 'node',
    format: COMPILE.format,
    target: COMPILE.target,
    tsconfigRaw: { compilerOptions },
    logLevel: 'warning',
    // The package's CommonJS dependencies call require(), which an ES module does not have.
    banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" },
  });
}

function removeStaleTrees(keep) {
  for (const entry of fs.readdirSync(BUILD_DIR)) {
    const dir = path.join(BUILD_DIR, entry);
    if (dir !== keep && Date.now() - fs.statSync(dir).mtimeMs > STALE_MS) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = await compiledTree();
  if (!dir) {
    process.stderr.write(`cannot write ${BUILD_DIR}\n`);
    process.exit(1);
  }
  process.stdout.write(`${dir}\n`);
}
