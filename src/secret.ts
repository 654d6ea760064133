import { inspect } from "node:util";

/**
 * A secret value that prints as `[redacted]` everywhere (logs, JSON, util.inspect, template strings),
 * so a credential cannot leak through an error message or a config dump by accident.
 * Read it with `.reveal()` at the one place that needs it.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
  [inspect.custom](): string {
    return "[redacted]";
  }
}
