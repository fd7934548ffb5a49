/**
 * What infra and the Lambdas share: the environment variable names infra
 * sets, the metric names and dimensions alarms match on, the alert names log
 * filters match on, and the list of jobs. Both sides import this module, so a
 * renamed value breaks the build instead of leaving an alarm without data.
 */
export * from "./alerts";
export * from "./environment";
export * from "./jobs";
export * from "./metrics-catalog";
export * from "./standby-fence";
export * from "./transactions";
