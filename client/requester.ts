// Who asked and from where, when the flags do not say. The requester is the
// local account ($USER); CI jobs pass --requested-by with the person behind the
// pipeline, since their $USER is a build account. The source defaults to the
// CI run's URL where the CI system publishes one.
type Env = Readonly<Record<string, string | undefined>>;

export function defaultRequester(env: Env): string {
  return env.USER || env.USERNAME || 'unknown';
}

export function defaultSource(env: Env): string | undefined {
  if (env.CI_PIPELINE_URL) return env.CI_PIPELINE_URL; // GitLab
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return env.BUILD_URL || undefined; // Jenkins
}
