/** Every error core raises on bad input: a code a program can test and a message a person can act on. */
export type AlenErrorCode =
  | 'UNKNOWN_TASK'
  | 'UNKNOWN_METHOD'
  | 'UNKNOWN_BACKEND'
  | 'BAD_TASK'
  | 'BAD_PLUGIN'
  | 'BAD_CONFIG'
  | 'BAD_DATA'
  | 'MISSING_DATA'
  | 'BAD_CHECKPOINT'
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  /** Stopped by a signal; what finished is kept and the same command resumes the rest. */
  | 'INTERRUPTED';

export class AlenError extends Error {
  readonly code: AlenErrorCode;
  constructor(code: AlenErrorCode, message: string) {
    super(message);
    this.name = 'AlenError';
    this.code = code;
  }
}

/** Error for a malformed input file, always naming the file and, when known, the line. */
export function dataError(file: string, line: number | undefined, what: string): AlenError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new AlenError('BAD_DATA', `${where}: ${what}`);
}
