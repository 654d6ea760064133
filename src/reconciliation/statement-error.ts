/** Why a statement file cannot be read, with the line to look at. */
import { AppError } from "../errors.ts";

export type StatementProblem =
  | "empty"
  | "too_large"
  | "too_many_lines"
  | "unterminated_quote"
  | "text_after_quote"
  | "no_header"
  | "missing_column"
  | "duplicate_column"
  | "too_many_cells"
  | "missing_value"
  | "bad_amount"
  | "bad_time"
  | "both_amounts";

/** A statement file that cannot be read; `line` is the file's 1-based line (null: the whole file). */
export class StatementInvalidError extends AppError {
  readonly line: number | null;
  readonly problem: StatementProblem;
  constructor(line: number | null, problem: StatementProblem, message: string) {
    super("STATEMENT_INVALID", line === null ? message : `Statement line ${line}: ${message}`, {
      line,
      problem,
    });
    this.name = "StatementInvalidError";
    this.line = line;
    this.problem = problem;
  }
}
