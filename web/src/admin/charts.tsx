/**
 * Two small inline-SVG charts (no chart library): vertical bars over time and horizontal bars by
 * category. Each has a text title and description for screen readers, and the same numbers are
 * printed as text, so nothing depends on seeing the bars.
 */
import { useEffect, useId, useRef, useState } from "react";
import { niceCeiling, shortNumber, ticks } from "../lib/chart-scale.ts";

export interface Bar {
  label: string;
  value: number;
}

const HEIGHT = 200;
const PAD = { top: 10, right: 6, bottom: 28, left: 40 };
/** Room one axis label needs, in CSS pixels. */
const LABEL_SLOT = 56;

/**
 * The width the chart is drawn at, in CSS pixels: the SVG's coordinates are its real pixels, so
 * labels keep their 12 px size on a 360 px phone and bars simply get narrower.
 */
function useDrawnWidth(fallback: number) {
  const ref = useRef<SVGSVGElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const svg = ref.current;
    if (!svg || typeof ResizeObserver !== "function") return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.round(entry?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(svg);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

interface ColumnChartProps {
  bars: Bar[];
  title: string;
  describe: (bar: Bar) => string;
}

/** Vertical bars (revenue per day), with the same figures in a table one tap away. */
export function ColumnChart(props: ColumnChartProps) {
  if (props.bars.length === 0) return <p className="muted">No data for this period.</p>;
  return <DrawnColumnChart {...props} />;
}

function DrawnColumnChart({ bars, title, describe }: ColumnChartProps) {
  const id = useId();
  const { ref, width } = useDrawnWidth(400);
  const max = niceCeiling(Math.max(...bars.map((bar) => bar.value)));
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / bars.length;
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  const y = (value: number) => PAD.top + plotH - (value / max) * plotH;
  const labelEvery = Math.max(1, Math.ceil(LABEL_SLOT / slot));
  return (
    <>
      <svg
        ref={ref}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        height={HEIGHT}
        className="chart"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{bars.map(describe).join("; ")}</desc>
        {ticks(max).map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={width - PAD.right} y1={y(tick)} y2={y(tick)} className="chart-grid" />
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
                <text
                  x={x + barW / 2}
                  y={HEIGHT - PAD.bottom + 16}
                  textAnchor="middle"
                  className="chart-label"
                >
                  {bar.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <details className="chart-data">
        <summary>{title} as a table</summary>
        <table>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.label}>
                <th scope="row">{bar.label}</th>
                <td>{describe(bar).replace(`${bar.label}: `, "")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
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
