import { DescribeAvailabilityZonesCommand, type AvailabilityZone } from "@aws-sdk/client-ec2";
import { fail, pass, type CheckResult, type PreflightCheck } from "./check";

const name = "availability zones";

/** A zone the stack may use: a standard zone, available, and enabled for this account. */
const usable = (zone: AvailabilityZone) =>
  zone.ZoneType === "availability-zone" &&
  zone.State === "available" &&
  (zone.OptInStatus === "opt-in-not-required" || zone.OptInStatus === "opted-in");

export const availabilityZones: PreflightCheck = {
  name,
  permissions: ["ec2:DescribeAvailabilityZones"],
  async run(context): Promise<CheckResult[]> {
    const { region, availabilityZoneIds, availabilityZones: count } = context.config.aws;
    const stack = context.config.stack;
    // All zones of the region, each with its zone id: a configured id that is absent is reported with the ids that exist.
    const { AvailabilityZones } = await context.aws.ec2.send(
      new DescribeAvailabilityZonesCommand({ AllAvailabilityZones: true }),
    );
    const zones = AvailabilityZones ?? [];
    const usableIds = zones.filter(usable).map((zone) => zone.ZoneId ?? "");
    const choose = `pulumi config set --path 'boson-kit:availabilityZoneIds[<i>]' <one of ${usableIds.join(", ")}> --stack ${stack}`;

    if (!availabilityZoneIds || availabilityZoneIds.length === 0) {
      if (usableIds.length < count) {
        return [
          fail(
            name,
            `the stack wants ${count} zones and ${region} has ${usableIds.length} usable (${usableIds.join(", ")})`,
            `pulumi config set boson-kit:availabilityZones ${usableIds.length} --stack ${stack}`,
          ),
        ];
      }
      return [pass(name, `${region} has ${usableIds.length} usable zones for the ${count} the stack wants`)];
    }
    const results = availabilityZoneIds.flatMap((zoneId): CheckResult[] => {
      const zone = zones.find((candidate) => candidate.ZoneId === zoneId);
      if (!zone) return [fail(name, `${zoneId} is not a zone of ${region}`, choose)];
      if (!usable(zone)) {
        return [
          fail(
            name,
            `${zoneId} (${zone.ZoneName}) is ${zone.State}, ${zone.OptInStatus}, type ${zone.ZoneType}: not a usable zone`,
            choose,
          ),
        ];
      }
      return [];
    });
    return results.length > 0
      ? results
      : [pass(name, `${availabilityZoneIds.join(", ")} exist and are available in ${region}`)];
  },
};
