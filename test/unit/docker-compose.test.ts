// docker-compose.yml and the deployflow Dockerfile, checked by structure (there
// is no Docker engine here): every service present, images pinned (the server at
// the release stack/go/temporal builds), health checks on long-running services,
// start order through healthy/completed conditions, ports on loopback only, and
// each worker wired to its environment's namespace, its own token, its kubeconfig
// and the temporal service. test/unit/temporal-config.test.ts compares the server
// configuration compose renders with the local production topology's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import yaml from 'js-yaml';

const root = new URL('../../', import.meta.url);
const read = (rel: string) => fs.readFileSync(new URL(rel, root), 'utf8');
const exists = (rel: string) => fs.existsSync(new URL(rel.replace(/^\.\//, ''), root));

interface Healthcheck {
  test: string[] | string;
  interval?: string;
  retries?: number;
}
interface BindVolume {
  type: 'bind';
  source: string;
  target: string;
  read_only?: boolean;
  bind?: { create_host_path?: boolean };
}
interface Service {
  image: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: Array<string | BindVolume>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: Healthcheck;
  restart?: string;
}

const compose = yaml.load(read('docker-compose.yml')) as { name: string; services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  assert.ok(s, `service ${name} exists`);
  return s;
};
const goMod = read('stack/go/temporal/go.mod');
const moduleVersion = (module: string) => new RegExp(`^\\s*${module.replaceAll('.', '\\.')} v(\\S+)`, 'm').exec(goMod)?.[1];
const version = (JSON.parse(read('package.json')) as { version: string }).version;

/** Services others wait on with service_completed_successfully: they run once and exit. */
const oneShots = new Set(
  Object.values(services).flatMap((s) =>
    Object.entries(Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {}))
      .filter(([, d]) => d.condition === 'service_completed_successfully')
      .map(([name]) => name),
  ),
);

/** `{ source, target, readOnly }` from either volume syntax. */
function mounts(s: Service): Array<{ source: string; target: string; readOnly: boolean; createHostPath?: boolean }> {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target, readOnly: v.read_only === true, createHostPath: v.bind?.create_host_path };
    const [source = '', target = '', mode = ''] = v.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

describe('docker-compose.yml: services', () => {
  test('Temporal on PostgreSQL, the UI, a setup one-shot and a worker per environment', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'setup-staging', 'setup-production', 'worker-staging', 'worker-production']) service(name);
    assert.match(service('postgresql').image, /^postgres:/);
    assert.match(service('temporal').image, /^temporalio\/server:/);
    assert.match(service('temporal-ui').image, /^temporalio\/ui:/);
  });

  test('every image is pinned to an exact version (no latest, no bare major)', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.image, `${name} names its image`);
      const tag = /:([^/:]+)$/.exec(s.image)?.[1];
      assert.ok(tag, `${name}: ${s.image} has a tag`);
      assert.notEqual(tag, 'latest', name);
      // admin-tools tags name the CLI releases inside: 1.29.1-tctl-1.18.4-cli-1.5.0.
      assert.match(tag, /^\d+\.\d+(\.\d+)?(-[a-z]+-\d+\.\d+\.\d+)*$/, `${name}: ${s.image} is an exact version`);
    }
  });

  test('the Temporal server and UI images are the releases the local stack builds (stack/go/temporal)', () => {
    const server = moduleVersion('go.temporal.io/server');
    const ui = moduleVersion('github.com/temporalio/ui-server/v2');
    assert.ok(server && ui, 'go.mod pins both');
    assert.equal(service('temporal').image, `temporalio/server:${server}`);
    for (const name of ['temporal-schema', 'temporal-namespace']) assert.match(service(name).image, new RegExp(`^temporalio/admin-tools:${server.replaceAll('.', '\\.')}-`), name);
    assert.equal(service('temporal-ui').image, `temporalio/ui:${ui}`);
  });

  test('every published port is bound to loopback', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of s.ports ?? []) assert.match(port, /^127\.0\.0\.1:\d+:\d+$/, `${name}: ${port}`);
    }
    assert.equal(services.postgresql?.ports, undefined, 'PostgreSQL is not published at all');
  });

  test('the deployflow image is built here and tagged with the package version', () => {
    for (const name of ['setup-staging', 'setup-production', 'worker-staging', 'worker-production']) {
      assert.equal(service(name).image, `deployflow:${version}`, name);
      assert.equal(service(name).build, '.', name);
    }
  });

  test('every long-running service has a health check; one-shots exit instead', () => {
    assert.deepEqual([...oneShots].sort(), ['setup-production', 'setup-release', 'setup-staging', 'temporal-namespace', 'temporal-schema']);
    for (const [name, s] of Object.entries(services)) {
      if (oneShots.has(name)) {
        assert.equal(s.healthcheck, undefined, `${name} runs once`);
        assert.match(s.restart ?? 'no', /^(no|on-failure(:\d+)?)$/, `${name} is not restarted after it succeeds`);
        continue;
      }
      assert.ok(s.healthcheck, `${name} has a healthcheck`);
      assert.ok(Array.isArray(s.healthcheck.test) && ['CMD', 'CMD-SHELL'].includes(s.healthcheck.test[0]!), `${name}: an exec-form test`);
      assert.ok((s.healthcheck.retries ?? 0) > 0, `${name}: retries`);
    }
  });

  test('start order uses conditions: healthy for services, completed for one-shots', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(!Array.isArray(s.depends_on), `${name}: depends_on with conditions, not a bare list`);
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        assert.ok(services[dep], `${name} depends on an existing service ${dep}`);
        if (oneShots.has(dep)) assert.equal(condition, 'service_completed_successfully', `${name} → ${dep}`);
        else {
          assert.equal(condition, 'service_healthy', `${name} → ${dep}`);
          assert.ok(services[dep]!.healthcheck, `${dep} can become healthy`);
        }
      }
    }
    assert.deepEqual(service('temporal-schema').depends_on, { postgresql: { condition: 'service_healthy' } });
    assert.deepEqual(service('temporal').depends_on, { 'temporal-schema': { condition: 'service_completed_successfully' } });
  });

  test('Temporal runs the shared configuration template and persists to the postgresql service', () => {
    const s = service('temporal');
    const env = s.environment ?? {};
    assert.equal(env.POSTGRES_ADDRESS, 'postgresql:5432');
    assert.deepEqual(s.ports, ['127.0.0.1:7233:7233']);
    assert.ok(mounts(service('postgresql')).some((m) => m.target === '/var/lib/postgresql/data' && compose.volumes && m.source in compose.volumes), 'a named data volume');
    const entrypoint = s.entrypoint ?? [];
    const flag = (name: string) => entrypoint.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    const configMount = mounts(s).find((m) => m.target === flag('config'));
    assert.ok(configMount?.readOnly, 'the config folder is mounted read-only where --config points');
    assert.equal(configMount.source, './compose/temporal');
    assert.ok(exists(`compose/temporal/${flag('env')}.yaml`), 'the template --env names exists');
    const dynamicConfig = mounts(s).find((m) => env.TEMPORAL_DYNAMIC_CONFIG_FILE?.startsWith(`${m.target}/`));
    assert.ok(dynamicConfig && exists(`${dynamicConfig.source}/${env.TEMPORAL_DYNAMIC_CONFIG_FILE!.split('/').at(-1)}`), 'the dynamic config file it names exists');
  });

  test('the UI, the namespace one-shot and setup talk to the temporal service', () => {
    assert.equal(service('temporal-ui').environment?.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(service('temporal-ui').environment?.TEMPORAL_DISABLE_WRITE_ACTIONS, 'true', 'the UI holds no credentials and changes nothing');
    assert.equal(service('temporal-namespace').environment?.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.deepEqual(service('temporal-namespace').environment?.TEMPORAL_NAMESPACES?.split(' '), ['staging', 'production', 'release']);
    for (const environment of ['staging', 'production']) {
      const setup = service(`setup-${environment}`);
      assert.deepEqual(setup.command, ['setup']);
      assert.equal(setup.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
      assert.equal(setup.environment?.TEMPORAL_NAMESPACE, environment);
      assert.match(setup.environment?.TEMPORAL_API_KEY ?? '', /^\$\{DEPLOYFLOW_ADMIN_TOKEN:\?/, 'the admin token, required');
      assert.deepEqual(setup.depends_on, {
        temporal: { condition: 'service_healthy' },
        'temporal-namespace': { condition: 'service_completed_successfully' },
      });
    }
  });

  test('the admin-tools one-shots run scripts that exist and parse', () => {
    for (const name of ['temporal-schema', 'temporal-namespace']) {
      const s = service(name);
      const [shell, script = ''] = s.entrypoint ?? [];
      assert.equal(shell, '/bin/sh', name);
      const mount = mounts(s).find((m) => script.startsWith(`${m.target}/`));
      assert.ok(mount?.readOnly, `${name}: its script comes from a read-only mount`);
      const local = `${mount!.source}/${script.slice(mount!.target.length + 1)}`.replace(/^\.\//, '');
      assert.ok(exists(local), `${local} exists`);
      const syntax = spawnSync('sh', ['-n', new URL(local, root).pathname], { encoding: 'utf8' });
      assert.equal(syntax.status, 0, syntax.stderr);
    }
  });
});

describe('docker-compose.yml: encrypted payloads', () => {
  test('the codec server runs, the UI decodes through its published port, and every Temporal client has the keys', () => {
    const codec = service('codec-server');
    assert.equal(codec.command?.[0], 'codec-server');
    const port = codec.command?.[codec.command.indexOf('--port') + 1];
    assert.ok(codec.ports?.includes(`127.0.0.1:${port}:${port}`));
    assert.equal(codec.command?.[codec.command.indexOf('--allow-origin') + 1], 'http://127.0.0.1:8080', 'only the UI\'s origin');
    assert.match(service('temporal-ui').environment?.TEMPORAL_CODEC_ENDPOINT ?? '', new RegExp(`^http://127.0.0.1:${port}/token/\\$\\{DEPLOYFLOW_CODEC_SERVER_TOKEN`));
    for (const name of ['codec-server', 'setup-staging', 'setup-production', 'worker-staging', 'worker-production', 'slack']) {
      assert.match(service(name).environment?.DEPLOYFLOW_CODEC_KEYS ?? '', /^\$\{DEPLOYFLOW_CODEC_KEYS:\?/, `${name} gets the keys, and compose refuses to start without them`);
    }
  });
});

describe('docker-compose.yml: releases', () => {
  test('setup-release creates the endpoints of both environments; the release worker holds only the release token and no kubeconfig', () => {
    const setup = service('setup-release');
    assert.deepEqual(setup.command, ['setup', '--release', '--nexus-endpoints', 'staging=staging,production=production']);
    assert.match(setup.environment?.TEMPORAL_API_KEY ?? '', /^\$\{DEPLOYFLOW_ADMIN_TOKEN:\?/, 'endpoints need cluster admin');
    const worker = service('worker-release');
    assert.deepEqual(worker.command, ['release-worker']);
    assert.equal(worker.environment?.TEMPORAL_NAMESPACE, 'release');
    assert.match(worker.environment?.TEMPORAL_API_KEY ?? '', /^\$\{DEPLOYFLOW_WORKER_RELEASE_TOKEN:\?/);
    assert.equal(worker.environment?.KUBECONFIG, undefined, 'no cluster credentials');
    assert.deepEqual(mounts(worker), [], 'nothing mounted');
    assert.deepEqual(worker.healthcheck?.test, ['CMD', 'node', 'bin/deployctl.js', 'workers', '--release']);
  });

  test('the Nexus callback goes to the internal frontend HTTP port the server opens, and only there', () => {
    const dynamic = yaml.load(read('compose/dynamicconfig/deployflow.yaml')) as Record<string, { value: unknown }[]>;
    const port = service('temporal').environment?.TEMPORAL_INTERNAL_FRONTEND_HTTP_PORT;
    assert.equal(dynamic['component.nexusoperations.callback.endpoint.template']?.[0]?.value, `http://127.0.0.1:${port}/namespaces/{{.NamespaceName}}/nexus/callback`);
    assert.deepEqual(dynamic['component.callbacks.allowedAddresses']?.[0]?.value, [{ Pattern: `127.0.0.1:${port}`, AllowInsecure: true }]);
  });
});

describe('docker-compose.yml: one worker per environment', () => {
  for (const environment of ['staging', 'production']) {
    test(`worker-${environment}`, () => {
      const s = service(`worker-${environment}`);
      assert.deepEqual(s.command, ['worker', '--env', environment]);

      const env = s.environment ?? {};
      const [host, port] = (env.TEMPORAL_ADDRESS ?? '').split(':');
      assert.equal(host, 'temporal', 'TEMPORAL_ADDRESS names the temporal service');
      assert.equal(service('temporal').environment?.TEMPORAL_FRONTEND_PORT, port, 'on its frontend port');
      assert.equal(env.TEMPORAL_NAMESPACE, environment, 'its own namespace');
      assert.match(env.TEMPORAL_API_KEY ?? '', new RegExp(`^\\$\\{DEPLOYFLOW_WORKER_${environment.toUpperCase()}_TOKEN:\\?`), 'its own token, required');
      assert.equal(env.KUBECONFIG, '/kube/config');
      assert.equal(env.DEPLOYFLOW_BUILD_ID, '${DEPLOYFLOW_BUILD_ID:-}', 'a build id from .env, or the hash of its workflow code');

      const kube = mounts(s).find((m) => m.target === env.KUBECONFIG);
      assert.ok(kube, 'its kubeconfig is mounted where KUBECONFIG points');
      assert.equal(kube.source, `./kubeconfigs/${environment}`);
      assert.equal(kube.readOnly, true);
      assert.equal(kube.createHostPath, false, 'a missing kubeconfig fails instead of becoming a directory');

      assert.deepEqual((s.depends_on as Record<string, unknown>).temporal, { condition: 'service_healthy' });
      assert.deepEqual((s.depends_on as Record<string, unknown>)[`setup-${environment}`], { condition: 'service_completed_successfully' });
      assert.deepEqual(s.healthcheck?.test, ['CMD', 'node', 'bin/deployctl.js', 'workers', '--env', environment]);
      assert.equal(s.restart, 'unless-stopped');
    });
  }

  test('kubeconfigs/ holds instructions, and git ignores the credentials put there', () => {
    assert.ok(exists('kubeconfigs/README.md'));
    assert.match(read('kubeconfigs/.gitignore'), /^\*$/m);
    assert.match(read('.dockerignore'), /^kubeconfigs$/m);
  });
});

describe('Dockerfile (the deployflow image)', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+ /.test(l));

  test('builds from a pinned node:20 with npm ci', () => {
    assert.match(instructions[0] ?? '', /^FROM node:20\.\d+\.\d+-[a-z-]+$/);
    assert.ok(instructions.some((l) => /^RUN npm ci\b/.test(l)));
    assert.ok(instructions.indexOf(instructions.find((l) => l.startsWith('COPY package.json package-lock.json'))!) < instructions.findIndex((l) => l.startsWith('RUN npm ci')), 'dependencies before sources');
  });

  test('the entrypoint is deployctl', () => {
    assert.ok(instructions.includes('ENTRYPOINT ["node", "bin/deployctl.js"]'));
    assert.ok(instructions.includes('USER node'), 'not root');
  });

  test('copies every source folder the CLI and the worker load, and they exist', () => {
    const copied = instructions.filter((l) => l.startsWith('COPY ')).flatMap((l) => l.split(' ').slice(1, -1));
    for (const dir of ['bin', 'codec', 'domain', 'workflows', 'activities', 'worker', 'client']) assert.ok(copied.includes(dir), dir);
    for (const source of copied) assert.ok(exists(source), `${source} exists`);
  });

  test('compiles the sources into the image before it drops root (deployctl could not write them later)', () => {
    const build = instructions.indexOf('RUN node bin/compiled-tree.js');
    const lastSource = instructions.map((l) => /^COPY (codec|domain|workflows|activities|worker|client) /.test(l)).lastIndexOf(true);
    assert.ok(build > lastSource, 'after the sources');
    assert.ok(build < instructions.indexOf('USER node'), 'before USER node');
  });

  test("caps the worker's heap and young generation (the worker sizes its workflow cache from it) and glibc's arenas and thresholds", () => {
    const options = /^ENV NODE_OPTIONS="([^"]+)"$/m.exec(dockerfile)?.[1] ?? '';
    assert.match(options, /--max-old-space-size=\d+/);
    assert.match(options, /--max-semi-space-size=\d+/);
    assert.match(dockerfile, /^ENV MALLOC_ARENA_MAX=\d+$/m);
    assert.match(dockerfile, /^ENV MALLOC_TRIM_THRESHOLD_=\d+$/m);
    assert.match(dockerfile, /^ENV MALLOC_MMAP_THRESHOLD_=\d+$/m);
  });

  test('.dockerignore keeps dependencies, the local stack and credentials out of the context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', '.stack', '.git', 'kubeconfigs', '.build']) assert.ok(ignored.includes(entry), entry);
  });
});
