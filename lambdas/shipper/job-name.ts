import { jobNames } from "../contract";

/**
 * The job a log group belongs to, for records that do not say (Lambda's own
 * START / END / REPORT lines carry no `service`). The kit's log groups have
 * generated names (`watcher-job-logs-1a2b3c4`, `/aws/lambda/...-watcher`),
 * so the job is the first `-` or `/` separated part that is a job's name;
 * a group that names no job keeps its last path segment.
 */
export function jobOfLogGroup(logGroup: string): string {
  const parts = logGroup.split(/[/-]/);
  const job = jobNames.find((name) => parts.includes(name));
  return job ?? logGroup.split("/").filter(Boolean).pop() ?? logGroup;
}
