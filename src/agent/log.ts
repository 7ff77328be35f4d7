/**
 * The agent's log: one line per record on stderr. `json`: one object per line with `time` (ISO
 * 8601), `level`, `msg` and the record's fields; `text`: `time level msg key=value…` for a terminal.
 */
export type LogFormat = "json" | "text";
export type LogLevel = "debug" | "info" | "warn" | "error";
/** The least level written (`--log-level`): `info` leaves out the debug records. */
export type LogThreshold = "debug" | "info";
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

function textValue(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

/** One log line (with its newline). Fields named like the fixed keys are written under `fields.` instead. */
export function formatLogLine(format: LogFormat, time: Date, level: LogLevel, msg: string, fields: LogFields = {}): string {
  if (format === "json") {
    const out: Record<string, unknown> = { time: time.toISOString(), level, msg };
    for (const [k, v] of Object.entries(fields)) out[k in out ? `fields.${k}` : k] = v;
    return `${JSON.stringify(out)}\n`;
  }
  const rest = Object.entries(fields).map(([k, v]) => ` ${k}=${textValue(v)}`);
  return `${time.toISOString()} ${level.toUpperCase()} ${msg}${rest.join("")}\n`;
}

export function newLogger(format: LogFormat, write: (line: string) => void, now: () => Date = () => new Date(), threshold: LogThreshold = "info"): Logger {
  return {
    log: (level, msg, fields) => {
      if (level === "debug" && threshold !== "debug") return;
      write(formatLogLine(format, now(), level, msg, fields));
    },
  };
}
