/**
 * The Prometheus alert rules in docs/operations.md name only metrics Malipo really exports, with
 * labels those metrics really have: a renamed metric must not leave an alert that can never fire.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/metrics.ts";

const DOC = fileURLToPath(new URL("../../../docs/operations.md", import.meta.url));

/** Metric name → its label names, for everything one app's registry exports. */
function exportedMetrics(): Map<string, { type: string; labels: string[] }> {
  const { registry } = createMetrics({ collectDefaults: true });
  const metrics = new Map<string, { type: string; labels: string[] }>();
  for (const metric of registry.getMetricsAsArray()) {
    const { name, labelNames } = metric as unknown as { name: string; labelNames?: string[] };
    const type = (metric as unknown as { type: string }).type;
    metrics.set(name, { type, labels: labelNames ?? [] });
  }
  return metrics;
}

/** Prometheus's own series for every target, and the labels it adds to every series. */
const BUILT_IN = new Map([["up", { type: "gauge", labels: [] as string[] }]]);
const TARGET_LABELS = ["job", "instance"];
const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "bool", "offset"]);

function resolve(name: string, metrics: ReturnType<typeof exportedMetrics>): { labels: string[] } | null {
  const direct = metrics.get(name) ?? BUILT_IN.get(name);
  if (direct) return direct;
  const histogram = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = histogram ? metrics.get(histogram[1] as string) : undefined;
  if (!histogram || base?.type !== "histogram") return null;
  return { labels: histogram[2] === "bucket" ? [...base.labels, "le"] : base.labels };
}

/** What is wrong with one PromQL expression: unknown metrics, unknown labels; and the metrics it names. */
function check(expr: string, metrics = exportedMetrics()): { problems: string[]; named: string[] } {
  const problems: string[] = [];
  const named: string[] = [];
  const labelsInExpr = new Set<string>(TARGET_LABELS);
  const note = (name: string, labels: string[]) => {
    named.push(name);
    const known = resolve(name, metrics);
    if (!known) return problems.push(`unknown metric ${name}`);
    for (const label of known.labels) labelsInExpr.add(label);
    for (const label of labels)
      if (!known.labels.includes(label) && !TARGET_LABELS.includes(label))
        problems.push(`${name} has no label ${label}`);
  };
  let rest = expr.replace(/([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}/g, (_all, name: string, matchers: string) => {
    note(
      name,
      [...matchers.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)\s*"/g)].map((m) => m[1] as string),
    );
    return " ";
  });
  const grouping: string[] = [];
  rest = rest
    .replace(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g, (_all, labels: string) => {
      grouping.push(...labels.split(",").map((l) => l.trim()));
      return " ";
    })
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/"[^"]*"/g, " ");
  for (const match of rest.matchAll(/([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, word, call] = match;
    if (call || KEYWORDS.has(word as string)) continue;
    note(word as string, []);
  }
  for (const label of grouping)
    if (!labelsInExpr.has(label)) problems.push(`grouping by ${label}, which no metric here has`);
  return { problems, named };
}

/** Every `expr:` of the rules block (one line, or a `|` block). */
function alertExpressions(markdown: string): Array<{ alert: string; expr: string }> {
  const block = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1] as string)
    .find((yaml) => yaml.includes("groups:"));
  if (!block) throw new Error("docs/operations.md has no ```yaml block with groups:");
  const rules: Array<{ alert: string; expr: string }> = [];
  const lines = block.split("\n");
  let alert = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const named = /^\s*- alert:\s*(\S+)/.exec(line);
    if (named) alert = named[1] as string;
    const expr = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!expr) continue;
    if (expr[2] !== "|") {
      rules.push({ alert, expr: expr[2] as string });
      continue;
    }
    const indent = (expr[1] as string).length;
    const body: string[] = [];
    const indentOf = (text: string) => text.length - text.trimStart().length;
    while (i + 1 < lines.length && indentOf(lines[i + 1] as string) > indent)
      body.push((lines[++i] as string).trim());
    rules.push({ alert, expr: body.join(" ") });
  }
  return rules;
}

describe("docs/operations.md alert rules", () => {
  it("name only metrics and labels Malipo exports", () => {
    const markdown = readFileSync(DOC, "utf8");
    const rules = alertExpressions(markdown);
    // Every rule was read, each with its whole expression.
    expect(rules).toHaveLength([...markdown.matchAll(/^\s*- alert:/gm)].length);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        "MalipoPaymentSuccessRateLow",
        "MalipoCallbacksRejected",
        "MalipoReconcilerBacklog",
        "MalipoLedgerImbalance",
        "MalipoDarajaErrors",
        "MalipoDarajaRefusingOrThrottling",
      ]),
    );
    const metrics = exportedMetrics();
    for (const rule of rules) {
      const { problems, named } = check(rule.expr, metrics);
      expect({ alert: rule.alert, problems }).toEqual({ alert: rule.alert, problems: [] });
      expect(named.length, rule.alert).toBeGreaterThan(0);
    }
  });

  it("the check itself catches a made-up metric, a wrong label and a wrong grouping", () => {
    expect(check('sum(rate(payments_total{status="completed"}[5m]))').problems).toEqual([
      "unknown metric payments_total",
    ]);
    expect(check('rate(mpesa_callbacks_total{outcome="rejected"}[5m])').problems).toEqual([
      "mpesa_callbacks_total has no label outcome",
    ]);
    expect(check("sum by (le) (rate(payments_status_total[5m]))").problems).toEqual([
      "grouping by le, which no metric here has",
    ]);
    expect(check("max(reconcilerbacklog) > 50").problems).toEqual(["unknown metric reconcilerbacklog"]);
    expect(check("time() - max(ledger_check_timestamp_seconds) > 900")).toEqual({
      problems: [],
      named: ["ledger_check_timestamp_seconds"],
    });
  });
});
