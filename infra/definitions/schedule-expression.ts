/**
 * EventBridge Scheduler expressions: how often one fires, so retry windows and
 * heartbeat alarms follow the stack's schedules instead of fixed numbers; and
 * whether Scheduler accepts it, checked field by field so a schedule it would
 * refuse at `pulumi up` is refused by the config first. The check is
 * hand-written: the cron libraries on npm parse Unix cron (five fields, no
 * `?`, no year), not AWS's six-field dialect.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */

const rateUnits: Readonly<Record<string, number>> = { minute: 60, hour: 3600, day: 86_400 };

/** Seconds between runs for `rate(...)`; undefined for `cron(...)`, whose spacing can vary. */
export function rateIntervalSeconds(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!match?.[1] || !match[2]) return undefined;
  const unit = rateUnits[match[2]];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

const months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Extra single tokens AWS allows in this field (`L`, `W`, `#`). */
  readonly special?: RegExp;
}

const cronFields: readonly CronField[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, special: /^(L|L-[0-9]{1,2}|[0-9]{1,2}W|LW)$/ },
  { name: "month", min: 1, max: 12, names: months },
  {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: weekdays,
    special: /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])$|^L$/,
  },
  { name: "year", min: 1970, max: 2199 },
];

function fieldValue(token: string, field: CronField): number | undefined {
  if (/^[0-9]+$/.test(token)) return Number(token);
  const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? index + 1 : undefined;
}

function inRange(token: string, field: CronField): boolean {
  const value = fieldValue(token, field);
  return value !== undefined && value >= field.min && value <= field.max;
}

/** Why one cron field is invalid, or undefined. */
function cronFieldProblem(text: string, field: CronField): string | undefined {
  const bad = `the ${field.name} field "${text}" must use values ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ""} with , - * /`;
  if (text === "*" || (text === "?" && (field.name === "day-of-month" || field.name === "day-of-week")))
    return undefined;
  for (const part of text.split(",")) {
    if (field.special?.test(part.toUpperCase())) continue;
    const [range, step, extra] = part.split("/");
    if (extra !== undefined || range === undefined || range === "") return bad;
    if (step !== undefined && !(/^[0-9]+$/.test(step) && Number(step) >= 1 && Number(step) <= field.max)) return bad;
    if (range === "*") continue;
    const bounds = range.split("-");
    if (bounds.length > 2 || !bounds.every((bound) => inRange(bound, field))) return bad;
  }
  return undefined;
}

/** Why `expression` is not a Scheduler `rate(...)` or six-field `cron(...)`, or undefined when it is. */
export function scheduleExpressionProblem(expression: string): string | undefined {
  if (/^rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\)$/.test(expression)) return undefined;
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron)
    return 'must be an EventBridge Scheduler expression such as "rate(5 minutes)", "rate(1 hour)" or "cron(0 * * * ? *)"';
  const fields = (cron[1] ?? "").trim().split(/\s+/);
  if (fields.length !== 6)
    return `must have six cron fields (minutes hours day-of-month month day-of-week year), not ${fields.length}, such as "cron(0 * * * ? *)"`;
  for (const [index, field] of cronFields.entries()) {
    const problem = cronFieldProblem(fields[index] ?? "", field);
    if (problem) return `is not a valid Scheduler cron: ${problem}`;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return "is not a valid Scheduler cron: exactly one of day-of-month and day-of-week must be ?, such as cron(0 * * * ? *)";
  }
  return undefined;
}
