/**
 * Places an API refusal next to the form field it concerns. VALIDATION_ERROR details name fields in
 * a few shapes (a field → message map, a list of { field | path | instancePath, message }, Fastify's
 * `validation` list); a known code (EMAIL_TAKEN, INVALID_PHONE …) belongs to a known field.
 */

export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  /** Anything that belongs to no single field. */
  form: string | null;
}

export interface RefusalLike {
  code: string;
  message: string;
  details?: unknown;
}

export function formErrorsFrom<F extends string>(
  refusal: RefusalLike,
  knownFields: readonly F[],
  fieldForCode: Partial<Record<string, F>> = {},
): FormErrors<F> {
  const fields: Partial<Record<F, string>> = {};
  const isField = (name: string): name is F => (knownFields as readonly string[]).includes(name);

  const codeField = fieldForCode[refusal.code];
  if (codeField)
    return { fields: { [codeField]: refusal.message } as Partial<Record<F, string>>, form: null };

  if (refusal.code === "VALIDATION_ERROR") {
    for (const [name, message] of fieldMessages(refusal.details)) {
      if (isField(name) && fields[name] === undefined) fields[name] = message;
    }
  }
  const placed = Object.keys(fields).length > 0;
  return { fields, form: placed ? null : refusal.message };
}

/** Every (field, message) pair found in a details value, whatever its shape. */
function fieldMessages(details: unknown): [string, string][] {
  if (!details || typeof details !== "object") return [];
  const record = details as Record<string, unknown>;
  for (const key of ["fields", "errors", "validation"]) {
    if (key in record) return fieldMessages(record[key]);
  }
  if (Array.isArray(details)) {
    return details.flatMap((item): [string, string][] => {
      if (!item || typeof item !== "object") return [];
      const entry = item as Record<string, unknown>;
      const where = entry.field ?? entry.path ?? entry.instancePath ?? entry.name;
      const message = typeof entry.message === "string" ? entry.message : "This value is not valid.";
      const missing = (entry.params as { missingProperty?: unknown } | undefined)?.missingProperty;
      const name =
        typeof missing === "string" ? missing : typeof where === "string" ? fieldName(where) : null;
      return name ? [[name, sentence(message)]] : [];
    });
  }
  return Object.entries(record).flatMap(([name, message]): [string, string][] =>
    typeof message === "string" ? [[name, sentence(message)]] : [],
  );
}

/** `/body/email`, `body.email`, `email` → `email`. */
function fieldName(path: string): string {
  const parts = path.split(/[./]/).filter((part) => part !== "" && part !== "body");
  return parts[parts.length - 1] ?? "";
}

function sentence(message: string): string {
  const trimmed = message.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
