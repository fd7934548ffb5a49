import { errorName, fail, pass, type CheckResult, type PreflightCheck, type PreflightContext } from "./check";

const name = "GCP APIs";

/**
 * APIs that must be on before `pulumi up`: Service Usage is how anything else
 * gets enabled (it cannot enable itself), and Cloud Resource Manager answers
 * the project lookups the program makes before its own `projects.Service`
 * resources exist.
 */
export const prerequisiteApis = ["serviceusage.googleapis.com", "cloudresourcemanager.googleapis.com"] as const;

async function apiState(context: PreflightContext, project: string, api: string): Promise<string> {
  const [service] = await context.gcp.serviceUsage.getService({ name: `projects/${project}/services/${api}` });
  return String(service.state ?? "STATE_UNSPECIFIED");
}

/** Google answers 403 with reason SERVICE_DISABLED when the Service Usage API itself is off. */
function serviceUsageDisabled(error: unknown): boolean {
  const text = `${(error as { message?: unknown })?.message ?? ""} ${JSON.stringify((error as { details?: unknown })?.details ?? "")}`;
  return /SERVICE_DISABLED|has not been used in project|is disabled/.test(text);
}

export const gcpApis: PreflightCheck = {
  name,
  permissions: ["serviceusage.services.get"],
  async run(context): Promise<CheckResult[]> {
    const project = context.config.gcp.project;
    const enable = (apis: readonly string[]) => `gcloud services enable ${apis.join(" ")} --project ${project}`;
    const disabled: string[] = [];
    for (const api of prerequisiteApis) {
      try {
        if ((await apiState(context, project, api)) !== "ENABLED") disabled.push(api);
      } catch (error) {
        if (!serviceUsageDisabled(error)) throw error;
        return [
          fail(name, `the Service Usage API is disabled in ${project} (${errorName(error)})`, enable(prerequisiteApis)),
        ];
      }
    }
    if (disabled.length > 0) {
      return [
        fail(
          name,
          `${disabled.join(", ")} ${disabled.length === 1 ? "is" : "are"} not enabled in ${project}, and pulumi up cannot enable ${disabled.length === 1 ? "it" : "them"}`,
          enable(disabled),
        ),
      ];
    }
    const later: string[] = [];
    for (const api of context.needs.gcpServices) {
      if ((await apiState(context, project, api)) !== "ENABLED") later.push(api);
    }
    const rest =
      later.length > 0
        ? `; pulumi up enables ${later.join(", ")}`
        : `; the ${context.needs.gcpServices.length} APIs the stack uses are enabled`;
    return [pass(name, `${prerequisiteApis.join(", ")} enabled in ${project}${rest}`)];
  },
};
