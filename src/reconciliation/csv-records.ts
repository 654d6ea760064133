/**
 * RFC 4180 records: comma-separated cells, a cell in double quotes may hold commas, line breaks
 * and doubled quotes (`""` is one `"`). Lines may end in CRLF, LF or a lone CR. Each record
 * knows the 1-based line it starts on, so a reader can name it in an error.
 */

export interface CsvRecord {
  /** 1-based line of the file the record starts on. */
  line: number;
  cells: string[];
}

export type CsvProblem = "unterminated_quote" | "text_after_quote" | "too_many_records";

export class CsvSyntaxError extends Error {
  readonly line: number;
  readonly problem: CsvProblem;
  constructor(line: number, problem: CsvProblem, message: string) {
    super(message);
    this.name = "CsvSyntaxError";
    this.line = line;
    this.problem = problem;
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Every record of `text`, in order. An empty line is no record (it still counts as a line).
 * More than `maxRecords` records throws `too_many_records` before reading further.
 */
export function readCsvRecords(text: string, maxRecords: number): CsvRecord[] {
  const records: CsvRecord[] = [];
  const length = text.length;
  let i = 0;
  let line = 1;

  /** Past a line break at `i` (CRLF, LF or CR); false when `i` is not at one. */
  const skipLineBreak = (): boolean => {
    const c = text.charCodeAt(i);
    if (c === CR) {
      i += text.charCodeAt(i + 1) === LF ? 2 : 1;
    } else if (c === LF) {
      i += 1;
    } else return false;
    line += 1;
    return true;
  };

  while (i < length) {
    if (skipLineBreak()) continue; // an empty line
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let cell: string;
      if (text.charCodeAt(i) === QUOTE) {
        const opened = line;
        i += 1;
        let value = "";
        let from = i;
        for (;;) {
          if (i >= length)
            throw new CsvSyntaxError(
              opened,
              "unterminated_quote",
              `a quoted cell opened on line ${opened} never closes`,
            );
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            value += text.slice(from, i);
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += '"';
              i += 2;
              from = i;
              continue;
            }
            i += 1;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line += 1;
          i += 1;
        }
        cell = value;
        const next = text.charCodeAt(i);
        if (i < length && next !== COMMA && next !== LF && next !== CR)
          throw new CsvSyntaxError(line, "text_after_quote", `text follows a closing quote on line ${line}`);
      } else {
        const from = i;
        while (i < length) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === LF || c === CR) break;
          i += 1;
        }
        cell = text.slice(from, i);
      }
      cells.push(cell);
      if (i < length && text.charCodeAt(i) === COMMA) {
        i += 1;
        continue;
      }
      break;
    }
    if (records.length >= maxRecords)
      throw new CsvSyntaxError(start, "too_many_records", `more than ${maxRecords} records`);
    records.push({ line: start, cells });
    skipLineBreak();
  }
  return records;
}
