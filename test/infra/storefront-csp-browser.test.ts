/**
 * The storefront CSP in a real browser (Debian's chromium, headless): a page
 * served with the policy's header loads a stand-in of the widgets origin on
 * another local port (the loader script, which injects its style element and
 * opens the widget frame, and the widgets' stylesheet), while an inline
 * script and a script from a third origin are blocked. A second page without
 * the style hash shows the hash is what lets the loader's style apply.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy, storefrontCspDirectives } from "../../infra/components/storefront-csp";
import { widgetLoaderStyle } from "../../infra/definitions/widgets";

const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));

type Site = { origin: string; requests: string[]; close(): Promise<void> };

async function serve(
  routes: (origin: string) => Record<string, { type: string; body: string; headers?: Record<string, string> }>,
): Promise<Site> {
  const requests: string[] = [];
  let table: ReturnType<typeof routes> = {};
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    requests.push(path);
    const route = table[path];
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": route.type, ...route.headers }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  table = routes(origin);
  return { origin, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let widgets: Site;
let elsewhere: Site;
let storefront: Site;
let profile: string;

// What the page reports once loaded: which scripts ran, which styles applied, what the browser blocked.
const reporter = `
const violations = [];
document.addEventListener("securitypolicyviolation", (event) => violations.push(event.effectiveDirective + " " + event.blockedURI));
window.addEventListener("load", () => setTimeout(() => {
  const frame = document.querySelector("iframe");
  document.getElementById("result").textContent = JSON.stringify({
    loader: document.documentElement.dataset.loader ?? null,
    inline: document.documentElement.dataset.inline ?? null,
    elsewhere: document.documentElement.dataset.elsewhere ?? null,
    stylesheetColor: getComputedStyle(document.getElementById("probe")).color,
    framePosition: frame ? getComputedStyle(frame).position : null,
    violations,
  });
}, 300));`;

function page(widgetsOrigin: string, elsewhereOrigin: string): string {
  return `<!doctype html><html><head>
<link rel="stylesheet" href="${widgetsOrigin}/styles.css">
<script src="/reporter.js"></script>
<script src="${widgetsOrigin}/scripts/boson-widgets.js"></script>
<script src="${elsewhereOrigin}/tracker.js"></script>
<script>document.documentElement.dataset.inline = "ran";</script>
</head><body><div id="probe">probe</div><pre id="result"></pre></body></html>`;
}

beforeAll(async () => {
  widgets = await serve((origin) => ({
    // A stand-in for the widget loader: what matters to the CSP is what it does (a style element, an iframe to the widgets origin).
    "/scripts/boson-widgets.js": {
      type: "text/javascript",
      body: `document.documentElement.dataset.loader = "ran";
const style = document.createElement("style");
style.innerText = ${JSON.stringify(widgetLoaderStyle)};
document.head.appendChild(style);
window.addEventListener("DOMContentLoaded", () => {
  const frame = document.createElement("iframe");
  frame.className = "bosonModal";
  frame.src = "${origin}/commit";
  document.body.appendChild(frame);
});`,
    },
    "/styles.css": { type: "text/css", body: "#probe { color: rgb(1, 2, 3); }" },
    "/commit": { type: "text/html", body: "<!doctype html><p>commit widget</p>" },
  }));
  elsewhere = await serve(() => ({
    "/tracker.js": { type: "text/javascript", body: `document.documentElement.dataset.elsewhere = "ran";` },
  }));
  const policy = contentSecurityPolicy(storefrontCspDirectives(widgets.origin));
  const withoutHash = contentSecurityPolicy({
    ...storefrontCspDirectives(widgets.origin),
    "style-src": ["'self'", widgets.origin],
  });
  storefront = await serve(() => ({
    "/": {
      type: "text/html",
      body: page(widgets.origin, elsewhere.origin),
      headers: { "content-security-policy": policy },
    },
    "/no-hash": {
      type: "text/html",
      body: page(widgets.origin, elsewhere.origin),
      headers: { "content-security-policy": withoutHash },
    },
    "/reporter.js": { type: "text/javascript", body: reporter },
  }));
  profile = mkdtempSync(join(tmpdir(), "kit-chromium-"));
});

afterAll(async () => {
  await Promise.all([widgets?.close(), elsewhere?.close(), storefront?.close()]);
  if (profile) rmSync(profile, { recursive: true, force: true });
});

type Report = {
  loader: string | null;
  inline: string | null;
  elsewhere: string | null;
  stylesheetColor: string;
  framePosition: string | null;
  violations: string[];
};

async function render(path: string): Promise<Report> {
  if (!chromium)
    throw new Error(
      "chromium is not installed: run `apt-get update && apt-get install -y chromium` (.ci/run does this on CI)",
    );
  const { stdout } = await promisify(execFile)(
    chromium,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${join(profile, path.replace(/\W/g, "_") || "root")}`,
      "--virtual-time-budget=5000",
      "--dump-dom",
      `${storefront.origin}${path}`,
    ],
    { timeout: 60_000 },
  );
  const match = /<pre id="result">([^<]*)<\/pre>/.exec(stdout);
  if (!match?.[1]) throw new Error(`the page reported nothing; chromium printed: ${stdout.slice(0, 500)}`);
  return JSON.parse(match[1].replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as Report;
}

describe("storefront CSP in headless chromium (S6)", () => {
  it("is installed (CI installs it in .ci/run)", () => {
    expect(chromium, "chromium is missing: apt-get update && apt-get install -y chromium").toBeDefined();
  });

  it("loads the widget loader, its style element, the widgets' stylesheet and frame, and blocks inline and foreign scripts", async () => {
    const report = await render("/");
    expect(report.loader).toBe("ran");
    expect(report.framePosition).toBe("fixed"); // the loader's injected style applied, by its hash
    expect(report.stylesheetColor).toBe("rgb(1, 2, 3)"); // the widgets' stylesheet applied
    expect(widgets.requests).toEqual(expect.arrayContaining(["/styles.css", "/scripts/boson-widgets.js", "/commit"]));
    expect(report.inline).toBeNull();
    expect(report.elsewhere).toBeNull();
    expect(elsewhere.requests).toEqual([]);
    expect(report.violations).toEqual(
      expect.arrayContaining([`script-src-elem ${elsewhere.origin}/tracker.js`, "script-src-elem inline"]),
    );
    expect(
      report.violations.filter((violation) => violation.startsWith("style-src") || violation.startsWith("frame-src")),
    ).toEqual([]);
  }, 90_000);

  it("without the style hash, the loader's style element is blocked", async () => {
    const report = await render("/no-hash");
    expect(report.loader).toBe("ran");
    expect(report.framePosition).not.toBe("fixed");
    expect(report.violations.some((violation) => violation.startsWith("style-src-elem"))).toBe(true);
  }, 90_000);
});
