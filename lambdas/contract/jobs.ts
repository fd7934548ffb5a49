/** The scheduled jobs: each has a Lambda (`lambdas/<job>/handler.ts`), an entry in the job catalogue and its alarms. */
export const jobNames = ["withdraw", "health", "watcher", "smoke"] as const;
export type JobName = (typeof jobNames)[number];
