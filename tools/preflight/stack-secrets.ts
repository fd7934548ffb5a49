import { fail, pass, type CheckResult, type PreflightCheck } from "./check";

const name = "secrets in stack config";

/** The RPC URLs are Pulumi secrets: the offline parse marks each one that the stack file lacks. */
export const stackSecrets: PreflightCheck = {
  name,
  permissions: [],
  async run(context): Promise<CheckResult[]> {
    const { config } = context;
    const absent = config.placeholders.filter((placeholder) => placeholder.reason === "absent");
    if (absent.length === 0) {
      const set = config.placeholders.map((placeholder) => placeholder.key);
      return [pass(name, set.length > 0 ? `${set.join(", ")} are set as secrets` : "every secret is set")];
    }
    return absent.map((placeholder) =>
      fail(
        name,
        `${placeholder.key} is not set`,
        `pulumi config set --secret ${placeholder.key} 'https://<provider>/<your-key>' --stack ${config.stack}`,
      ),
    );
  },
};
