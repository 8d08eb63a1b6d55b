// The live view of a running deploy. On a terminal it redraws a small block in
// place (phase, step k/n, an old and a new bar); in CI logs, where redrawing
// leaves garbage, it prints one plain line each time something changed.
import type { DeployProgress } from '../workflows/messages.js';
import type { LivePodCounts } from './heartbeat.js';
import type { Writer } from './io.js';

export interface LiveSnapshot {
  progress?: DeployProgress;
  /** Counts of the pods the deploy is waiting on right now (waitForPods heartbeat). */
  pods?: LivePodCounts;
  /** Why the progress query got no answer (usually: no worker is running). */
  queryError?: string;
}

export interface LiveView {
  show(snapshot: LiveSnapshot): void;
  end(): void;
}

export function createLiveView(stdout: Writer, environment: string): LiveView {
  return stdout.isTTY ? new TerminalView(stdout, environment) : new LogView(stdout, environment);
}

interface SideLine {
  side: 'new' | 'old';
  name: string;
  ready: number;
  of: number;
  terminating: number;
}

/** Old and new sides with the freshest counts: the heartbeat's for the side being waited on. */
function sidesOf(s: LiveSnapshot): SideLine[] {
  const p = s.progress;
  if (!p) return [];
  const of = p.desired || p.newRc?.replicas || 0;
  // A step activity's heartbeat knows which side it awaits right now; the workflow's progress says it per wait.
  const side = s.pods?.side ?? p.waitingFor?.side;
  const newIsWaited = p.newRc !== undefined && side === 'new';
  const oldIsWaited = side === 'old' && p.oldRcs.length === 1;
  // Steps taken back to back: the activity's last look at the side it does not await beats the workflow's, older.
  const seen = s.pods?.sides;
  const lines: SideLine[] = [];
  if (p.newRc) {
    const live = newIsWaited ? s.pods : undefined;
    lines.push({ side: 'new', name: p.newRc.name, ready: live?.ready ?? seen?.new.available ?? p.newRc.available, of, terminating: live?.terminating ?? 0 });
  }
  for (const rc of p.oldRcs) {
    const live = oldIsWaited ? s.pods : undefined;
    const oneOld = p.oldRcs.length === 1 ? seen?.old.available : undefined;
    lines.push({ side: 'old', name: rc.name, ready: live?.ready ?? oneOld ?? rc.available, of, terminating: live?.terminating ?? 0 });
  }
  return lines;
}

export function bar(count: number, of: number, width = 20): string {
  const filled = of > 0 ? Math.round((Math.min(count, of) / of) * width) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/**
 * The step a deploy is at now: the workflow shows the step an activity taking
 * steps back to back began with; that activity's heartbeat, how many it took since.
 */
export function liveStep(p: DeployProgress, pods?: LivePodCounts): number {
  return p.step + (p.phase === 'RollingOut' || p.phase === 'RollingBack' ? (pods?.stepsDone ?? 0) : 0);
}

function headline(p: DeployProgress, pods?: LivePodCounts): string {
  const current = liveStep(p, pods);
  const step = p.totalSteps > 0 ? ` · step ${current}/${Math.max(current, p.totalSteps)}` : '';
  const paused = p.paused && p.phase !== 'Paused' ? ' · pause requested' : '';
  return `${p.phase}${step}${paused}`;
}

function countText(l: SideLine): string {
  return `${l.ready}/${l.of} ready${l.terminating > 0 ? `, ${l.terminating} terminating` : ''}`;
}

function problemLines(s: LiveSnapshot): string[] {
  return (s.pods?.problems ?? []).slice(0, 3).map((pr) => `  ! ${pr.pod}: ${pr.reason}${pr.message ? `: ${pr.message}` : ''}`);
}

function noAnswer(s: LiveSnapshot, environment: string): string {
  return `no progress from the deploy yet (${s.queryError}); is the worker of ${environment} running?`;
}

/**
 * The block a terminal shows; pure, so tests can read it. `commandHints`
 * false leaves out the deployctl commands (Slack shows buttons instead).
 */
export function frameLines(s: LiveSnapshot, environment: string, { commandHints = true } = {}): string[] {
  const p = s.progress;
  if (!p) return [s.queryError ? noAnswer(s, environment) : 'starting…'];
  const lines = [headline(p, s.pods)];
  const sides = sidesOf(s);
  const width = Math.max(0, ...sides.map((l) => l.name.length));
  for (const l of sides) lines.push(`${l.side} ${l.name.padEnd(width)} ${bar(l.ready, l.of)} ${countText(l)}`);
  const awaiting = s.pods?.awaiting ?? p.waitingFor?.what;
  if (awaiting) lines.push(`  waiting for ${awaiting}`);
  lines.push(...problemLines(s));
  if (p.lastError && (p.phase === 'Stuck' || p.phase === 'RollingBack')) {
    lines.push(`  last error: ${p.lastError.reason ?? p.lastError.type}: ${p.lastError.message}`);
  }
  if (commandHints && (p.phase === 'Stuck' || p.phase === 'AwaitingApproval' || p.phase === 'Paused')) {
    lines.push(`  next: ${p.nextActions.map((a) => `deployctl ${a} ${p.app} --env ${p.environment}`).join(' | ')}`);
  }
  return lines;
}

/** The one line a CI log gets per change. */
export function logLine(s: LiveSnapshot, environment: string): string {
  const p = s.progress;
  if (!p) return s.queryError ? noAnswer(s, environment) : 'starting';
  const sides = sidesOf(s).map((l) => `${l.side} ${l.name} ${countText(l)}`);
  return [headline(p, s.pods), ...sides].join(', ');
}

class TerminalView implements LiveView {
  private drawn = 0;

  constructor(
    private readonly out: Writer,
    private readonly environment: string,
  ) {}

  show(snapshot: LiveSnapshot): void {
    const width = Math.max(20, (this.out.columns ?? 100) - 1);
    // Lines are cut to the terminal's width: a wrapped line would break the count we move up by.
    const lines = frameLines(snapshot, this.environment).map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l));
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A\r\x1b[J` : '';
    this.out.write(up + lines.join('\n') + '\n');
    this.drawn = lines.length;
  }

  end(): void {
    this.drawn = 0; // the last frame stays on screen above the result
  }
}

class LogView implements LiveView {
  private last = '';
  private readonly seenProblems = new Set<string>();

  constructor(
    private readonly out: Writer,
    private readonly environment: string,
  ) {}

  show(snapshot: LiveSnapshot): void {
    const line = logLine(snapshot, this.environment);
    if (line !== this.last) this.out.write(line + '\n');
    this.last = line;
    for (const pr of snapshot.pods?.problems ?? []) {
      const key = `${pr.pod} ${pr.reason}`;
      if (this.seenProblems.has(key)) continue;
      this.seenProblems.add(key);
      this.out.write(`  ! ${pr.pod}: ${pr.reason}${pr.message ? `: ${pr.message}` : ''}\n`);
    }
  }

  end(): void {}
}
