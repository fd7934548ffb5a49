import type { KitConfig } from "../../infra/config";

/**
 * The exact commands a release owner runs once the gate allows a promotion:
 * a saved plan reviewed by the policy pack, the update from that plan (so
 * nothing changes between preview and up), the online review, and the smoke
 * test on the new release (M2, C4).
 */
export function pulumiCommands(to: KitConfig): string[] {
  const plan = `${to.stack}.plan.json`;
  return [
    `pulumi preview --stack ${to.stack} --policy-pack infra/policy --save-plan ${plan}`,
    `pulumi up --stack ${to.stack} --policy-pack infra/policy --plan ${plan}`,
    `npm run review -- --stack ${to.stack} --rpc <${to.chain.name} RPC URL>`,
    `aws lambda invoke --function-name "$(pulumi stack output smokeFunctionName --stack ${to.stack})" --region ${to.aws.region} smoke-result.json`,
  ];
}
