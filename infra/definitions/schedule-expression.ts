/**
 * How often an EventBridge Scheduler expression fires, so retry windows and
 * heartbeat alarms follow the stack's schedules instead of fixed numbers.
 */

const rateUnits: Readonly<Record<string, number>> = { minute: 60, hour: 3600, day: 86_400 };

/** Seconds between runs for `rate(...)`; undefined for `cron(...)`, whose spacing can vary. */
export function rateIntervalSeconds(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!match?.[1] || !match[2]) return undefined;
  const unit = rateUnits[match[2]];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}
