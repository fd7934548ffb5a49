import { createHash } from "node:crypto";
import { envConfigs } from "@bosonprotocol/common";

/**
 * Where each Boson environment serves its widgets, and what the widget loader
 * needs from the storefront's CSP (checklist S6). The pinned
 * `@bosonprotocol/common` envConfigs carry no widgets URL, so an entry
 * there wins when a release adds one; otherwise the hosts are those the
 * widgets' own documentation lists per environment (bosonprotocol/widgets,
 * docs/boson-environments.md).
 */
export type WidgetsEnvironment = "production" | "staging" | "testing" | "local";

const documentedOrigins: Readonly<Record<WidgetsEnvironment, string>> = {
  production: "https://widgets.bosonprotocol.io",
  staging: "https://widgets-staging.on-fleek.app",
  // No hosted widgets for a local chain: the testing build is the closest.
  testing: "https://widgets-test.on-fleek.app",
  local: "https://widgets-test.on-fleek.app",
};

/** Every origin the kit may allow for the widgets (the policy pack accepts exactly these). */
export const knownWidgetsOrigins: readonly string[] = [...new Set(Object.values(documentedOrigins))];

/** The widgets origin for a configId: the official configuration's, when it has one, else the documented host. */
export function widgetsOriginFor(configId: string): string {
  const [envName] = configId.split("-") as [WidgetsEnvironment];
  const official = (envConfigs[envName] as readonly { configId: string; widgetsUrl?: unknown }[] | undefined)?.find(
    (config) => config.configId === configId,
  );
  if (typeof official?.widgetsUrl === "string") return new URL(official.widgetsUrl).origin;
  const documented = documentedOrigins[envName];
  if (documented === undefined) throw new Error(`configId ${configId}: no widgets host for environment "${envName}"`);
  return documented;
}

/**
 * The style element the widget loader (`/scripts/boson-widgets.js`) injects
 * for its modal and loading overlay. A `<style>` element is inline style: no
 * origin allows it, so the CSP names its SHA-256. If the loader's CSS
 * changes, the browser reports the blocked hash and this text must follow.
 */
export const widgetLoaderStyle =
  ".bosonModal { position: fixed; z-index: 1; width: 100%; left: 0; height: 100%; top: 0; border-style: none; }" +
  ".bosonLoading { position: fixed; z-index: 1; width: 100%; left: 0; height: 100%; top: 0; border-style: none; opacity: 50%; background: black; cursor: wait; }";

/** CSP source for the loader's style element. */
export const widgetLoaderStyleHash = `'sha256-${createHash("sha256").update(widgetLoaderStyle, "utf8").digest("base64")}'`;
