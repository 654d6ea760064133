/** Tiny helpers for the emulator's server-rendered pages (no build step, no framework). */

export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** `1500` → `1,500`. */
export function formatKes(amount: number): string {
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; background: #f4f6f5; color: #17211b; line-height: 1.5; }
  main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
  h1 { font-size: 1.5rem; margin: 0 0 1rem; }
  h2 { font-size: 1.15rem; margin: 2rem 0 0.5rem; }
  a { color: #0b6b3a; }
  table { border-collapse: collapse; width: 100%; background: #fff; font-size: 0.9rem; }
  caption { text-align: left; font-weight: 600; padding: 0.5rem 0; }
  th, td { border: 1px solid #cfd8d3; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
  th { background: #e6ede9; }
  code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.85em; }
  button, input { font: inherit; }
  :focus-visible { outline: 3px solid #1a56db; outline-offset: 2px; }
  .muted { color: #4b5a52; }
`;

export function page(title: string, body: string, extraStyle = "", script = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}${extraStyle}</style>
</head>
<body>
${body}
${script ? `<script>${script}</script>` : ""}
</body>
</html>`;
}
