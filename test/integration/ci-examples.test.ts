// The CI examples: examples/ci/deploy.sh — the step both pipelines run — against
// the real stack with the real deployctl (a child process, as in a CI job), for
// each exit code it acts on; and the two pipeline files calling it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type { DeployResult } from '../../workflows/messages.js';
import { workflowIdFor } from '../../domain/names.js';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';

const root = new URL('../../', import.meta.url);
const script = new URL('examples/ci/deploy.sh', root).pathname;
const deployctl = `${process.execPath} ${new URL('bin/deployctl.js', root).pathname}`;
const IMAGE = 'registry.example/awesome-api';

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The result document deploy.sh kept. */
  result<T>(): T;
}

describe('examples/ci/deploy.sh on the local stack', () => {
  let h: DeployHarness;
  let dir: string;
  let spec: string;
  let runs = 0;

  before(async () => {
    h = await deployHarness('ci');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-it-'));
    spec = path.join(dir, 'awesome-api.yaml');
    fs.writeFileSync(spec, yaml.dump(h.spec({ strategy: { progressDeadlineSeconds: 15 } })));
  });
  after(async () => {
    await h?.close();
  });

  /** Runs the script asynchronously: the harness worker in this process must keep working meanwhile. */
  function deploy(image: string, env: Record<string, string> = {}, specFile = spec): Promise<ScriptRun> {
    const resultFile = path.join(dir, `result-${runs++}.json`);
    return new Promise((resolve) => {
      execFile(
        'bash',
        [script, specFile, h.environment, image],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? dir,
            TEMPORAL_ADDRESS: h.info.temporalAddress,
            TEMPORAL_NAMESPACE: 'default',
            // A CI secret in a real pipeline: the stack's codec key here.
            DEPLOYFLOW_CODEC_KEYS: process.env.DEPLOYFLOW_CODEC_KEYS ?? '',
            DEPLOYCTL: deployctl,
            DEPLOY_RESULT_FILE: resultFile,
            DEPLOY_REQUESTED_BY: 'ci-test',
            ...env,
          },
          timeout: 55_000,
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr, result: <T>() => JSON.parse(fs.readFileSync(resultFile, 'utf8')) as T });
        },
      );
    });
  }

  test('a good release: exit 0, the JSON result kept and summarised', async () => {
    const r = await deploy(`${IMAGE}:1.0.0`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = r.result<DeployResult>();
    assert.equal(result.outcome, 'Succeeded');
    assert.equal(result.workflowId, workflowIdFor(h.environment, h.namespace, 'awesome-api'));
    assert.match(r.stdout, /^deploying registry\.example\/awesome-api:1\.0\.0 to env-/m);
    assert.match(r.stdout, /^Succeeded: awesome-api-[0-9a-f]{8} serves/m);
  });

  test('a bad release rolls back: exit 1 with the reason; meanwhile a second deploy gets exit 3, and one that retries goes next', async () => {
    const bad = deploy(`${IMAGE}:1.1.0-never-ready`);
    const handle = h.client.workflow.getHandle(workflowIdFor(h.environment, h.namespace, 'awesome-api'));
    // Wait for the bad release to be the running deploy before competing with it.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const d = await handle.describe();
      if (d.status.name === 'RUNNING') break;
      assert.ok(Date.now() < deadline, 'the bad release started');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const refused = await deploy(`${IMAGE}:1.2.0`, { DEPLOY_RETRIES: '0' });
    assert.equal(refused.code, 3, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /ERROR: another deploy of this app is still running .* after 0 retries: another deploy of this app is running/);

    const patient = deploy(`${IMAGE}:1.2.0`, { DEPLOY_RETRIES: '20', DEPLOY_RETRY_DELAY: '1' });

    const r = await bad;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const result = r.result<DeployResult>();
    assert.equal(result.outcome, 'RolledBack');
    assert.ok(result.reason, 'a reason');
    assert.match(r.stdout, new RegExp(`^ERROR: RolledBack: rolled back: .* \\(reason: ${result.reason}\\)$`, 'm'));

    const next = await patient;
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.match(next.stdout, /another deploy of this app is running in .*; retrying in 1s \(1 of 20\)/);
    assert.equal(next.result<DeployResult>().outcome, 'Succeeded');
  });

  test('invalid input: exit 2, deployctl’s problems in the log, nothing started', async () => {
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, fs.readFileSync(spec, 'utf8').replace(/^replicas: \d+$/m, 'replicas: -1'));
    const r = await deploy(`${IMAGE}:1.3.0`, {}, broken);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /replicas: must be >= 0/);
    assert.match(r.stdout, /ERROR: invalid deploy request: invalid input/);
  });

  test('Temporal unreachable: exit 4, saying what to check', async () => {
    const r = await deploy(`${IMAGE}:1.3.0`, { TEMPORAL_ADDRESS: '127.0.0.1:1', DEPLOYFLOW_CONNECT_TIMEOUT: '1' });
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /ERROR: cannot reach Temporal: cannot reach Temporal at 127\.0\.0\.1:1.*check TEMPORAL_ADDRESS/);
  });

  test('on GitHub Actions: errors become annotations and the outcome a step output', async () => {
    const outputFile = path.join(dir, 'github-output');
    fs.writeFileSync(outputFile, '');
    const r = await deploy(`${IMAGE}:1.3.0`, { TEMPORAL_ADDRESS: '127.0.0.1:1', DEPLOYFLOW_CONNECT_TIMEOUT: '1', GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: outputFile });
    assert.equal(r.code, 4);
    assert.match(r.stdout, /^::error title=deploy env-[^:]+::cannot reach Temporal/m);
    assert.match(fs.readFileSync(outputFile, 'utf8'), /^exit-code=4$/m);
  });

  test('a wrong call is a usage error', async () => {
    const r = await new Promise<number>((resolve) => execFile('bash', [script, 'only-one-arg'], (err) => resolve(typeof err?.code === 'number' ? err.code : 0)));
    assert.equal(r, 2);
  });
});

describe('the pipeline files', () => {
  const deploySh = fs.readFileSync(script, 'utf8');

  test('deploy.sh calls deployctl deploy with --wait --output json and handles exit codes 0-4', () => {
    assert.match(deploySh, /args=\(deploy -f "\$spec" --env "\$environment" --image "\$image" --wait --output json\)/);
    assert.match(deploySh, /"\$\{deployctl\[@\]\}" "\$\{args\[@\]\}"/);
    for (const code of [0, 1, 2, 3, 4]) assert.match(deploySh, new RegExp(`^    ${code}\\)$`, 'm'), `case ${code}`);
  });

  interface GithubWorkflow {
    on: Record<string, unknown>;
    jobs: Record<string, { environment?: string; container?: { image: string }; env?: Record<string, string>; steps: Array<{ run?: string; uses?: string }> }>;
  }

  test('GitHub Actions: every deploy job runs deploy.sh in the deployflow image with its environment\'s namespace and credential', () => {
    const wf = yaml.load(fs.readFileSync(new URL('examples/ci/github-actions.yml', root), 'utf8')) as GithubWorkflow;
    assert.ok(wf.on.push, 'runs on push');
    const jobs = Object.entries(wf.jobs);
    assert.deepEqual(jobs.map(([name]) => name), ['staging', 'production']);
    for (const [name, job] of jobs) {
      const runs = job.steps.map((s) => s.run ?? '').filter((r) => r.includes('deploy.sh'));
      assert.equal(runs.length, 1, `${name} runs deploy.sh once`);
      assert.match(runs[0]!, new RegExp(`examples/ci/deploy\\.sh "\\$SPEC" ${name} "\\$IMAGE"$`));
      assert.match(job.container?.image ?? '', /\/deployflow:\d+\.\d+\.\d+$/, `${name}: a pinned deployflow image`);
      assert.equal(job.env?.TEMPORAL_ADDRESS, '${{ vars.TEMPORAL_ADDRESS }}');
      assert.equal(job.env?.TEMPORAL_NAMESPACE, name, `${name}: its own namespace`);
      assert.equal(job.env?.TEMPORAL_API_KEY, `\${{ secrets.TEMPORAL_API_KEY_${name.toUpperCase()} }}`, `${name}: its own credential`);
      assert.equal(job.environment, name, `${name}: a GitHub environment of its own (where its secret lives)`);
      for (const step of job.steps) if (step.uses) assert.match(step.uses, /@v\d+$/, `${step.uses} pinned`);
    }
  });

  interface GitlabJob {
    extends?: string;
    image?: { name: string; entrypoint: string[] };
    script?: string[];
    environment?: { name: string };
    resource_group?: string;
    variables?: Record<string, string>;
  }

  test('GitLab CI: both deploy jobs extend a template that runs deploy.sh in the deployflow image', () => {
    const ci = yaml.load(fs.readFileSync(new URL('examples/ci/gitlab-ci.yml', root), 'utf8')) as Record<string, GitlabJob>;
    const template = ci['.deployflow']!;
    assert.deepEqual(template.script, ['/app/examples/ci/deploy.sh "$SPEC" "$CI_ENVIRONMENT_NAME" "$IMAGE"']);
    assert.match(template.image?.name ?? '', /\/deployflow:\d+\.\d+\.\d+$/);
    assert.deepEqual(template.image?.entrypoint, ['']);
    for (const [job, environment] of [['deploy-staging', 'staging'], ['deploy-production', 'production']] as const) {
      assert.equal(ci[job]?.extends, '.deployflow', job);
      assert.equal(ci[job]?.environment?.name, environment, job);
      assert.equal(ci[job]?.resource_group, `deploy-${environment}`, job);
      assert.equal(ci[job]?.variables?.TEMPORAL_NAMESPACE, environment, `${job}: its own namespace`);
    }
  });

  test('the pipelines run the script where the deployflow image puts it', () => {
    const dockerfile = fs.readFileSync(new URL('Dockerfile', root), 'utf8');
    assert.match(dockerfile, /^WORKDIR \/app$/m);
    assert.match(dockerfile, /^COPY examples\/ci \.\/examples\/ci$/m);
  });
});
