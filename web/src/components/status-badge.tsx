/** A status as icon + words + colour: the colour is never the only signal. */
import type { StatusWords } from "../lib/words.ts";
import { ToneIcon } from "./tone-icon.tsx";

export function StatusBadge({ words, testId }: { words: StatusWords; testId?: string }) {
  return (
    <span className={`badge badge-${words.tone}`} data-testid={testId} data-tone={words.tone}>
      <ToneIcon tone={words.tone} />
      {words.label}
    </span>
  );
}
