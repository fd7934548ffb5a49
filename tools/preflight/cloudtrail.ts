import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector,
  type EventSelector,
  type Trail,
} from "@aws-sdk/client-cloudtrail";
import { fail, pass, type CheckResult, type PreflightCheck, type PreflightContext } from "./check";

const name = "CloudTrail management events";

/** The key-change alerts match KMS management events (PutKeyPolicy, ScheduleKeyDeletion...). */
const kmsEventSource = "kms.amazonaws.com";

/** A basic selector that records write management events, KMS included. */
function basicSelectorCovers(selector: EventSelector): boolean {
  return (
    selector.IncludeManagementEvents !== false &&
    (selector.ReadWriteType ?? "All") !== "ReadOnly" &&
    !(selector.ExcludeManagementEventSources ?? []).includes(kmsEventSource)
  );
}

/** An advanced selector on the Management category that keeps write events and KMS. */
function advancedSelectorCovers(selector: AdvancedEventSelector): boolean {
  const fields = selector.FieldSelectors ?? [];
  const field = (fieldName: string) => fields.find((candidate) => candidate.Field === fieldName);
  const category = field("eventCategory");
  if (!category?.Equals?.includes("Management")) return false;
  if (field("readOnly")?.Equals?.includes("true")) return false;
  const source = field("eventSource");
  if (source?.NotEquals?.includes(kmsEventSource)) return false;
  if (source?.Equals && !source.Equals.includes(kmsEventSource)) return false;
  return true;
}

async function trailCoverage(context: PreflightContext, trail: Trail): Promise<string | undefined> {
  const arn = trail.TrailARN ?? trail.Name ?? "";
  const status = await context.aws.cloudTrail.send(new GetTrailStatusCommand({ Name: arn }));
  if (!status.IsLogging) return `${trail.Name} is not logging`;
  const selectors = await context.aws.cloudTrail.send(new GetEventSelectorsCommand({ TrailName: arn }));
  const covers =
    (selectors.EventSelectors ?? []).some(basicSelectorCovers) ||
    (selectors.AdvancedEventSelectors ?? []).some(advancedSelectorCovers);
  return covers ? undefined : `${trail.Name} does not record write management events from ${kmsEventSource}`;
}

export const cloudTrailManagementEvents: PreflightCheck = {
  name,
  permissions: ["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
  async run(context): Promise<CheckResult[]> {
    const region = context.config.aws.region;
    const { trailList } = await context.aws.cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
    const trails = (trailList ?? []).filter(
      (trail) => trail.IsMultiRegionTrail === true || trail.HomeRegion === region,
    );
    const gaps: string[] = [];
    for (const trail of trails) {
      const gap = await trailCoverage(context, trail);
      if (gap === undefined)
        return [pass(name, `${trail.Name} logs write management events (KMS included) in ${region}`)];
      gaps.push(gap);
    }
    return [
      fail(
        name,
        trails.length === 0
          ? `no trail covers ${region}: the key-change alerts would never fire`
          : `no trail records KMS management events in ${region}: ${gaps.join("; ")}`,
        `aws cloudtrail create-trail --name management-events --s3-bucket-name <bucket with the CloudTrail bucket policy> --is-multi-region-trail && aws cloudtrail start-logging --name management-events (or fix the trail's event selectors)`,
      ),
    ];
  },
};
