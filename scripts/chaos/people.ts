/**
 * The people of a chaos run, made through the public API (and the admin CLI for the admin): customers
 * and technicians sign up with their M-Pesa numbers, the admin signs in and registers the webhook
 * receiver for every event type. The emulator is told, through its control API, the faults to
 * inject and what payouts and reversals to each number do.
 */
import { WEBHOOK_EVENT_TYPES } from "../../src/db/schema.ts";
import { dataOf, type MalipoClient } from "./client.ts";
import type { ChaosPlan } from "./plan.ts";

/** Each person's own address as the proxy forwards it (documentation range, never contacted). */
export const clientIp = (kind: "customer" | "technician" | "admin", i: number): string =>
  kind === "admin"
    ? "198.51.100.1"
    : `${kind === "customer" ? "198.18" : "198.19"}.${(i >> 8) & 255}.${i & 255}`;

export interface Person {
  index: number;
  id: string;
  email: string;
  token: string;
  ip: string;
}

export interface People {
  customers: Person[];
  technicians: Person[];
  admin: Person;
  /** Every password used: none may appear in a log. */
  passwords: string[];
  /** Every session token issued: none may appear in a log. */
  tokens: string[];
}

/** `work` over `items`, at most `width` at once; results in the items' order. */
export async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}

async function register(
  client: MalipoClient,
  input: { kind: "customer" | "technician"; index: number; phone: string; seed: string },
): Promise<Person> {
  const email = `${input.kind}-${input.index}-${input.seed}@chaos.example`;
  const password = `pw-${input.seed}-${input.kind}-${input.index}-secret`;
  const ip = clientIp(input.kind, input.index);
  const body = {
    name: `${input.kind === "customer" ? "Customer" : "Technician"} ${input.index}`,
    email,
    password,
    role: input.kind,
    phoneNumber: input.phone,
  };
  let answer = await client.request("POST", "/auth/register", { body, clientIp: ip });
  // A sign-up whose answer was lost may have happened: then sign in instead.
  if (answer.status === 409 && answer.json.error?.code === "EMAIL_TAKEN")
    answer = await client.request("POST", "/auth/login", { body: { email, password }, clientIp: ip });
  const data = dataOf(answer, `sign-up of ${email}`);
  const user = data.user as { id: string };
  return { index: input.index, id: user.id, email, token: String(data.token), ip };
}

export async function signUp(
  client: MalipoClient,
  plan: ChaosPlan,
  admin: { email: string; password: string },
): Promise<People> {
  // A few at a time: each sign-up hashes a password (scrypt, 128 MiB).
  const customers = await pool(plan.customers, 4, (c) =>
    register(client, { kind: "customer", index: c.index, phone: c.phones[0]!, seed: plan.seed }),
  );
  const technicians = await pool(plan.technicians, 4, (t) =>
    register(client, { kind: "technician", index: t.index, phone: t.phone, seed: plan.seed }),
  );
  const ip = clientIp("admin", 0);
  const login = dataOf(
    await client.request("POST", "/auth/login", { body: admin, clientIp: ip }),
    "the admin's sign-in",
  );
  const adminPerson = {
    index: 0,
    id: (login.user as { id: string }).id,
    email: admin.email,
    token: String(login.token),
    ip,
  };
  const everyone = [...customers, ...technicians, adminPerson];
  return {
    customers,
    technicians,
    admin: adminPerson,
    passwords: [
      admin.password,
      ...plan.customers.map((c) => `pw-${plan.seed}-customer-${c.index}-secret`),
      ...plan.technicians.map((t) => `pw-${plan.seed}-technician-${t.index}-secret`),
    ],
    tokens: everyone.map((p) => p.token),
  };
}

/** Registers the receiver for every event type; returns the endpoint's secret (shown only now). */
export async function registerReceiver(client: MalipoClient, admin: Person, url: string): Promise<string> {
  const data = dataOf(
    await client.request("POST", "/admin/webhooks/endpoints", {
      token: admin.token,
      clientIp: admin.ip,
      body: { url, eventTypes: [...WEBHOOK_EVENT_TYPES], description: "chaos receiver" },
    }),
    "registering the webhook receiver",
  );
  return String(data.secret);
}

/** The emulator's control API. */
export async function control(emulatorUrl: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulatorUrl}/__emulator${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }
      : {}),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Faults on every API, and what payouts to each technician and reversals to each customer do. */
export async function scriptEmulator(emulatorUrl: string, plan: ChaosPlan): Promise<void> {
  for (const t of plan.technicians)
    await control(emulatorUrl, "PUT", `/numbers/${t.phone}/payout-outcome`, { outcome: t.payoutOutcome });
  for (const c of plan.customers)
    for (const phone of c.phones)
      await control(emulatorUrl, "PUT", `/numbers/${phone}/payout-outcome`, { outcome: c.refundOutcome });
  await control(emulatorUrl, "PUT", "/faults", plan.faults);
}
