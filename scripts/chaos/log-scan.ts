/**
 * Malipo's logs must never hold a secret, a password, a token, a security credential or a full phone
 * number. The scan (PURE on its input) looks for the values the run itself knows — every password
 * and session token it used, the signing secrets, the Daraja credentials — anywhere, and for
 * anything shaped like one in the log records. A finding names the file, the line and the kind, never the value;
 * for a shape it also names where in the record it sat (the nearest key before it and the record's
 * message, digits hidden) so a failed run can be understood from its summary alone.
 */

export interface Finding {
  file: string;
  line: number;
  kind: string;
  /** For a shape: `key "…" in "msg"`, without the value. */
  where?: string;
}

const SHAPES: ReadonlyArray<readonly [string, RegExp]> = [
  // Not the digits of a decimal ("responseTime":1329.254172999994).
  ["full phone number", /(?<![A-Za-z0-9.])(?:254[17]\d{8}|0[17]\d{8})(?![A-Za-z0-9]|\.\d)/],
  ["session token (JWT)", /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ["webhook signing secret", /whsec_[A-Za-z0-9+/=]{16,}/],
  ["bearer token", /Bearer\s+[A-Za-z0-9._~+/=-]{8,}/i],
  ["Daraja access token", /"access_token"\s*:\s*"[^"*]{8,}"/],
  ["SecurityCredential", /SecurityCredential"?\s*[:=]\s*"?[A-Za-z0-9+/]{40,}/],
  ["STK Password", /"Password"\s*:\s*"[A-Za-z0-9+/=]{20,}"/],
  ["signed callback URL", /[?&]sig=[A-Za-z0-9_-]{16,}/],
  ["password field", /"password"\s*:\s*"[^"*[\]]{1,}"/i],
];

/** `known`: kind → values that must not appear (each at least 8 characters, or it is ignored). */
export function scanLog(file: string, text: string, known: Record<string, readonly string[]>): Finding[] {
  const findings: Finding[] = [];
  const values = Object.entries(known).flatMap(([kind, list]) =>
    list.filter((value) => value.length >= 8).map((value) => [kind, value] as const),
  );
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (line === "") continue;
    const kinds = new Map<string, string | undefined>();
    // Shapes only in the log records (pino's JSON lines): the start-up banner lists the emulator's
    // public test numbers.
    if (line.startsWith("{"))
      for (const [kind, shape] of SHAPES) {
        const match = shape.exec(line);
        if (match) kinds.set(kind, whereIn(line, match.index));
      }
    for (const [kind, value] of values)
      if (line.includes(value) && !kinds.has(kind)) kinds.set(kind, undefined);
    for (const [kind, where] of kinds)
      findings.push(where === undefined ? { file, line: i + 1, kind } : { file, line: i + 1, kind, where });
  }
  return findings;
}

/** The nearest JSON key before `index` and the record's message, every digit hidden. */
function whereIn(line: string, index: number): string {
  const keys = [...line.slice(0, index).matchAll(/"([A-Za-z_$][\w$.-]{0,60})"\s*:/g)];
  const key = keys.at(-1)?.[1] ?? "?";
  const msg = /"msg"\s*:\s*"((?:[^"\\]|\\.){0,120})/.exec(line)?.[1];
  const hide = (text: string) => text.replace(/\d/g, "#");
  return `key "${hide(key)}"${msg === undefined ? "" : ` in "${hide(msg)}"`}`;
}

/** One violation line per kind and file: how many lines, and where the first is. */
export function summariseFindings(findings: Finding[]): string[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.file}\u0000${f.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].map((list) => {
    const first = list[0]!;
    const where = first.where === undefined ? "" : ` (${first.where})`;
    return `${first.kind} in ${first.file} on ${list.length} line(s), first at line ${first.line}${where}`;
  });
}
