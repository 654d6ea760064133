/**
 * Two small inline-SVG charts (no chart library): vertical bars over time and horizontal bars by
 * category. Each has a text title and description for screen readers, and the same numbers are
 * printed as text, so nothing depends on seeing the bars.
 */
import { niceCeiling, shortNumber, ticks } from "../lib/chart-scale.ts";

export interface Bar {
  label: string;
  value: number;
}

const WIDTH = 400;
const HEIGHT = 200;
const PAD = { top: 10, right: 6, bottom: 28, left: 38 };

export function ColumnChart({
  bars,
  title,
  describe,
}: {
  bars: Bar[];
  title: string;
  describe: (bar: Bar) => string;
}) {
  if (bars.length === 0) return <p className="muted">No data for this period.</p>;
  const max = niceCeiling(Math.max(...bars.map((bar) => bar.value)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / bars.length;
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  const y = (value: number) => PAD.top + plotH - (value / max) * plotH;
  const labelEvery = Math.ceil(bars.length / 6);
  return (
    <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="chart" role="img" aria-labelledby="col-title col-desc">
      <title id="col-title">{title}</title>
      <desc id="col-desc">{bars.map(describe).join("; ")}</desc>
      {ticks(max).map((tick) => (
        <g key={tick}>
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} className="chart-grid" />
          <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end" className="chart-label">
            {shortNumber(tick)}
          </text>
        </g>
      ))}
      {bars.map((bar, i) => {
        const x = PAD.left + slot * i + (slot - barW) / 2;
        return (
          <g key={bar.label}>
            <rect
              x={x}
              y={y(bar.value)}
              width={barW}
              height={PAD.top + plotH - y(bar.value)}
              className="chart-bar"
            >
              <title>{describe(bar)}</title>
            </rect>
            {i % labelEvery === 0 && (
              <text x={x + barW / 2} y={HEIGHT - PAD.bottom + 15} textAnchor="middle" className="chart-label">
                {bar.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** Horizontal bars as HTML rows (labels stay readable on a narrow phone) with SVG bars. */
export function BarList({ bars, title }: { bars: Bar[]; title: string }) {
  if (bars.length === 0) return <p className="muted">None in this period.</p>;
  const max = Math.max(...bars.map((bar) => bar.value), 1);
  return (
    <ul className="bar-list" aria-label={title}>
      {bars.map((bar) => (
        <li key={bar.label} className="bar-row">
          <span className="bar-label">{bar.label}</span>
          <svg viewBox="0 0 100 10" preserveAspectRatio="none" className="bar-track" aria-hidden="true">
            <rect
              x={0}
              y={0}
              width={Math.max(1, (100 * bar.value) / max)}
              height={10}
              className="chart-bar-danger"
            />
          </svg>
          <span className="bar-value">{bar.value}</span>
        </li>
      ))}
    </ul>
  );
}
