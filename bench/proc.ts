// CPU time and memory of processes from /proc (Linux): CPU seconds used
// between start() and stop(), and peak/mean resident memory sampled meanwhile.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export interface ProcUsage {
  cpuSeconds: number;
  peakRssMb: number;
  meanRssMb: number;
}

/** utime + stime of a process (all its threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export class ProcSampler {
  private readonly start0 = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private readonly sum = new Map<string, number>();
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: Record<string, number>,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    for (const [name, pid] of Object.entries(this.pids)) this.start0.set(name, safe(() => cpuSeconds(pid)));
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): Record<string, ProcUsage> {
    clearInterval(this.timer);
    this.sample();
    const out: Record<string, ProcUsage> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      out[name] = {
        cpuSeconds: safe(() => cpuSeconds(pid)) - (this.start0.get(name) ?? 0),
        peakRssMb: this.peak.get(name) ?? 0,
        meanRssMb: (this.sum.get(name) ?? 0) / Math.max(1, this.samples),
      };
    }
    return out;
  }

  private sample(): void {
    this.samples++;
    for (const [name, pid] of Object.entries(this.pids)) {
      const rss = safe(() => rssMb(pid));
      this.peak.set(name, Math.max(this.peak.get(name) ?? 0, rss));
      this.sum.set(name, (this.sum.get(name) ?? 0) + rss);
    }
  }
}

function safe(fn: () => number): number {
  try {
    return fn();
  } catch {
    return 0;
  }
}

/** Busy and total CPU ticks of the whole machine (all users), from /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Share of all CPUs busy between two machineTicks() readings, in percent. */
export function busyPercent(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return b.total > a.total ? (100 * (b.busy - a.busy)) / (b.total - a.total) : 0;
}
