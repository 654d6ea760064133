/**
 * The icon that goes with a status tone (tick, cross, clock, warning, dot), as inline SVG so it looks
 * the same on every phone, whatever emoji fonts it has. Decorative: the words beside it carry the meaning.
 */
import type { Tone } from "../lib/words.ts";

export function ToneIcon({ tone }: { tone: Tone }) {
  return (
    <svg
      className="tone-icon"
      viewBox="0 0 16 16"
      width="1em"
      height="1em"
      aria-hidden="true"
      focusable="false"
    >
      {shape(tone)}
    </svg>
  );
}

function shape(tone: Tone) {
  const stroke = {
    fill: "none",
    stroke: "currentColor",
    strokeWidth: 2,
    strokeLinecap: "round",
    strokeLinejoin: "round",
  } as const;
  switch (tone) {
    case "success":
      return <path d="M3 8.5l3.2 3.2L13 4.8" {...stroke} />;
    case "danger":
      return <path d="M4 4l8 8M12 4l-8 8" {...stroke} />;
    case "waiting":
      return (
        <>
          <circle cx="8" cy="8" r="6" {...stroke} />
          <path d="M8 4.5V8l2.5 1.5" {...stroke} />
        </>
      );
    case "warning":
      return (
        <>
          <path d="M8 1.8L15 14H1z" {...stroke} />
          <path d="M8 6.5v3.2M8 11.8v.1" {...stroke} />
        </>
      );
    case "neutral":
      return <circle cx="8" cy="8" r="3" fill="currentColor" />;
    default: {
      const _exhaustive: never = tone;
      return _exhaustive;
    }
  }
}
