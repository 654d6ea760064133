/** A status as icon + words + colour: the colour is never the only signal. */
import { type StatusWords, TONE_ICON } from "../lib/words.ts";

export function StatusBadge({ words, testId }: { words: StatusWords; testId?: string }) {
  return (
    <span className={`badge badge-${words.tone}`} data-testid={testId} data-tone={words.tone}>
      <span aria-hidden="true" className="badge-icon">
        {TONE_ICON[words.tone]}
      </span>
      {words.label}
    </span>
  );
}
