// A TLS-terminating gRPC proxy in front of the stack's Temporal dev server:
// Debian's nginx demanding a client certificate (mTLS), with a throwaway CA and
// certificates made by openssl. Everything lives in one temp folder, and nginx
// runs in the foreground as this test's own child process.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../stack/processes.js';

export interface Pki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** One client pair per party, so the proxy's access log tells who called. */
  workerCert: string;
  workerKey: string;
  cliCert: string;
  cliKey: string;
  /** A client pair from another CA: a certificate the proxy must not accept. */
  rogueCert: string;
  rogueKey: string;
}

export interface TlsProxy {
  address: string;
  pki: Pki;
  /** One line per request: `<client subject> <status> <gRPC method path>`. */
  accessLog(): string[];
  stop(): Promise<void>;
}

/** Fails with the fix when a tool the test needs is missing (test/run.ts installs them with stack/install-packages.sh). */
export function requireTool(name: string, versionArgs: string[]): string {
  const found = spawnSync('sh', ['-c', `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (!found) throw new Error(`${name} is not installed: run \`bash stack/install-packages.sh nginx-light openssl\` (npm test does)`);
  const version = spawnSync(found, versionArgs, { encoding: 'utf8' });
  if (version.status !== 0) throw new Error(`${found} ${versionArgs.join(' ')} failed: ${version.stderr}`);
  return found;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, a server certificate for localhost/127.0.0.1, client certificates of the worker and the CLI, and a client of another CA. */
export function makePki(dir: string): Pki {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) => openssl(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`], dir);
  const leaf = (name: string, issuer: string, extensions: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n${extensions}\n`);
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
  };
  ca('deployflow-test-ca');
  ca('rogue-ca');
  leaf('temporal-proxy', 'deployflow-test-ca', 'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1');
  leaf('deployflow-worker', 'deployflow-test-ca', 'extendedKeyUsage=clientAuth');
  leaf('deployctl', 'deployflow-test-ca', 'extendedKeyUsage=clientAuth');
  leaf('rogue-client', 'rogue-ca', 'extendedKeyUsage=clientAuth');
  const at = (f: string) => path.join(dir, f);
  return {
    dir,
    caCert: at('deployflow-test-ca.crt'),
    serverCert: at('temporal-proxy.crt'),
    serverKey: at('temporal-proxy.key'),
    workerCert: at('deployflow-worker.crt'),
    workerKey: at('deployflow-worker.key'),
    cliCert: at('deployctl.crt'),
    cliKey: at('deployctl.key'),
    rogueCert: at('rogue-client.crt'),
    rogueKey: at('rogue-client.key'),
  };
}

function nginxConf(dir: string, port: number, upstream: string, pki: Pki): string {
  const at = (f: string) => path.join(dir, f);
  return `# Written by test/helpers/tls-proxy.ts
worker_processes 1;
pid ${at('nginx.pid')};
error_log ${at('error.log')} info;
events { worker_connections 256; }
http {
  log_format grpc '"$ssl_client_s_dn" $status $request_uri';
  access_log ${at('access.log')} grpc;
  client_body_temp_path ${at('tmp-body')};
  proxy_temp_path ${at('tmp-proxy')};
  fastcgi_temp_path ${at('tmp-fastcgi')};
  uwsgi_temp_path ${at('tmp-uwsgi')};
  scgi_temp_path ${at('tmp-scgi')};
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${pki.serverCert};
    ssl_certificate_key ${pki.serverKey};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_client_certificate ${pki.caCert};
    ssl_verify_client on;
    # Workers long-poll for tasks (about a minute each): do not cut them off.
    grpc_read_timeout 5m;
    grpc_send_timeout 5m;
    client_max_body_size 0;
    client_body_timeout 5m;
    location / {
      grpc_pass grpc://${upstream};
    }
  }
}
`;
}

/** Starts nginx on a free loopback port, proxying to `upstream` (host:port); resolves once it accepts connections. */
export async function startTlsProxy(upstream: string): Promise<TlsProxy> {
  const nginx = requireTool('nginx', ['-v']);
  requireTool('openssl', ['version']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployflow-mtls-'));
  // nginx's worker drops root for `nobody`, which must reach its temp folders here.
  fs.chmodSync(dir, 0o755);
  const pki = makePki(dir);
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConf(dir, port, upstream, pki));
  const child: ChildProcess = spawn(nginx, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const errorLog = () => [stderr, fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''].join('\n');

  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode}:\n${errorLog()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not listen on 127.0.0.1:${port} within 10s:\n${errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    address: `127.0.0.1:${port}`,
    pki,
    accessLog: () => fs.readFileSync(path.join(dir, 'access.log'), 'utf8').split('\n').filter(Boolean),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM: nginx's fast shutdown; its worker goes with the master.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
