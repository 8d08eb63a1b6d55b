// PostgreSQL for the production topology: Debian's binaries, a data folder in
// the stack folder, its own loopback port. PostgreSQL refuses to run as root,
// so when the stack runs as root the server runs as the `postgres` user the
// Debian package creates, and owns its folder.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './layout.js';
import { isAlive, sleep, startDaemon, stopDaemon } from './processes.js';

const run = promisify(execFile);

export interface PostgresFiles {
  dir: string;
  data: string;
  socketDir: string;
}

export function postgresFiles(stackDir: string): PostgresFiles {
  const dir = path.join(stackDir, 'postgres');
  return { dir, data: path.join(dir, 'data'), socketDir: path.join(dir, 'run') };
}

/** The folder of Debian's newest installed PostgreSQL binaries, installing the package when none is. */
export function postgresBinDir(): string {
  const find = () => {
    const root = '/usr/lib/postgresql';
    const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    return newest && path.join(root, newest, 'bin');
  };
  const found = find();
  if (found) return found;
  execFileSync('bash', [path.join(repoRoot, 'stack', 'install-postgresql.sh')], { stdio: 'inherit' });
  const installed = find();
  if (!installed) throw new Error('PostgreSQL is not installed and stack/install-postgresql.sh did not install it');
  return installed;
}

/** Who the server runs as: the caller, or `postgres` when the caller is root. */
function identity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** initdb into `files.data` with one superuser, `user`, who logs in over TCP with `password`. */
export async function initPostgres(files: PostgresFiles, user: string, password: string): Promise<void> {
  const bin = postgresBinDir();
  fs.mkdirSync(files.socketDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(files.dir, 'pwfile');
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  const who = identity();
  if (who) for (const p of [files.dir, files.socketDir, pwfile]) fs.chownSync(p, who.uid, who.gid);
  try {
    await run(
      path.join(bin, 'initdb'),
      ['-D', files.data, '-U', user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'],
      { ...who, env: { ...process.env, LC_ALL: 'C' } },
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

export function startPostgres(files: PostgresFiles, port: number, logDir: string): number {
  const args = [
    '-D', files.data,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${files.socketDir}`,
    // A throwaway local database, like the stack's etcd: no fsync per commit.
    '-c', 'fsync=off',
    '-c', 'synchronous_commit=off',
    '-c', 'max_connections=200',
  ];
  return startDaemon('postgres', path.join(postgresBinDir(), 'postgres'), args, logDir, { ...process.env, LC_ALL: 'C' }, identity());
}

export async function postgresReady(port: number): Promise<boolean> {
  await run(path.join(postgresBinDir(), 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)], { timeout: 5_000 });
  return true;
}

/** Fast shutdown (SIGINT: disconnect clients, checkpoint); SIGTERM would wait for Temporal to hang up. */
export async function stopPostgres(pid: number, graceMs = 15_000): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  await stopDaemon(pid, 0);
}
