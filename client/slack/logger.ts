// One JSON object per line, as log collectors expect; Bolt and the Web API
// client log through it. Nothing the app logs carries the token or the
// signing secret (they are never interpolated, and print as [redacted]).
import { LogLevel, type Logger } from '@slack/bolt';
import type { Writer } from '../io.js';

const ORDER: LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

export function jsonLogger(out: Writer, initial: LogLevel = LogLevel.INFO): Logger {
  let level = initial;
  let name = 'deployflow-slack';
  const write = (at: LogLevel, parts: unknown[]) => {
    if (ORDER.indexOf(at) < ORDER.indexOf(level)) return;
    const message = parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
    out.write(JSON.stringify({ time: new Date().toISOString(), level: at, name, message }) + '\n');
  };
  return {
    debug: (...m) => write(LogLevel.DEBUG, m),
    info: (...m) => write(LogLevel.INFO, m),
    warn: (...m) => write(LogLevel.WARN, m),
    error: (...m) => write(LogLevel.ERROR, m),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: (n) => void (name = n),
  };
}
