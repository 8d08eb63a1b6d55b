// The wall-time chart: rollout time vs replicas for both systems, one panel
// per surge setting, log-log axes, median with min–max whiskers, and the
// readiness floor dashed. Plain SVG written by hand: no charting dependency.
import type { Spread } from './stats.js';

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: Spread }[];
}

export interface Panel {
  title: string;
  series: Series[];
}

const W = 420;
const H = 320;
const M = { left: 58, right: 14, top: 34, bottom: 46 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const niceTicks = (lo: number, hi: number) => {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
    }
  }
  return ticks;
};
const r1 = (v: number) => Math.round(v * 10) / 10;
const fmt = (v: number) => (v >= 1 ? String(Math.round(v)) : v.toPrecision(1));

function panel(p: Panel, offsetX: number): string {
  const all = p.series.flatMap((s) => s.points);
  const xs = all.map((pt) => pt.x);
  const ys = all.flatMap((pt) => [pt.y.min, pt.y.max, pt.y.median]).filter((v) => v > 0 && Number.isFinite(v));
  const [x0, x1] = [Math.min(...xs) / 1.4, Math.max(...xs) * 1.4];
  const [y0, y1] = [10 ** Math.floor(Math.log10(Math.min(...ys))), 10 ** Math.ceil(Math.log10(Math.max(...ys)))];
  const px = (x: number) => r1(offsetX + M.left + ((Math.log(x) - Math.log(x0)) / (Math.log(x1) - Math.log(x0))) * (W - M.left - M.right));
  const py = (y: number) => r1(M.top + (1 - (Math.log(y) - Math.log(y0)) / (Math.log(y1) - Math.log(y0))) * (H - M.top - M.bottom));
  const out: string[] = [];
  out.push(`<text x="${offsetX + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  for (const t of niceTicks(y0, y1)) {
    out.push(`<line x1="${px(x0)}" x2="${px(x1)}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${px(x0) - 6}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${py(y0)}" y2="${py(y1)}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${px(x)}" y="${H - M.bottom + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<rect x="${px(x0)}" y="${py(y1)}" width="${px(x1) - px(x0)}" height="${py(y0) - py(y1)}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${offsetX + (M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">replicas</text>`);
  out.push(`<text transform="translate(${offsetX + 14} ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">rollout wall time (s)</text>`);
  for (const s of p.series) {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const path = pts.map((pt, i) => `${i ? 'L' : 'M'}${px(pt.x).toFixed(1)},${py(pt.y.median).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    for (const pt of pts) {
      if (pt.y.max > pt.y.min) {
        out.push(`<line x1="${px(pt.x)}" x2="${px(pt.x)}" y1="${py(pt.y.min)}" y2="${py(pt.y.max)}" stroke="${s.color}" stroke-width="1.5"/>`);
      }
      if (!s.dashed) out.push(`<circle cx="${px(pt.x)}" cy="${py(pt.y.median)}" r="3.5" fill="${s.color}"/>`);
    }
  }
  // Legend in the lower right: rising curves on log-log axes leave it empty.
  p.series.forEach((s, i) => {
    const y = H - M.bottom - 10 - (p.series.length - 1 - i) * 16;
    const x = offsetX + W - M.right - 165;
    out.push(`<line x1="${x}" x2="${x + 20}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    out.push(`<text x="${x + 26}" y="${y}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

export function wallTimeChart(panels: Panel[], caption: string): string {
  const width = W * panels.length;
  const height = H + 22;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panel(p, i * W)),
    `<text x="${width / 2}" y="${height - 4}" text-anchor="middle" fill="#555">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
