// The installed (shipped) app, without WebDriver: a shipped build refuses to be automated (its
// window stays incognito), so scripts/test-packages.sh checks it from outside instead: it starts,
// shows one "Takeback" window within 15 s, and its idle memory (PSS of the app and its WebKit
// processes) stays under TAKEBACK_IDLE_PSS_BOUND_MIB. Run under Xvfb:
//   TAKEBACK_APP_BIN=/usr/bin/takeback-app xvfb-run -a node tests/e2e/installed-app.mjs
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { visibleTakebackWindows } from "./harness.mjs";

const bin = process.env.TAKEBACK_APP_BIN ?? "/usr/bin/takeback-app";
const bound = Number(process.env.TAKEBACK_IDLE_PSS_BOUND_MIB ?? 275);
const home = mkdtempSync(join(tmpdir(), "takeback-installed-"));

/** PSS in kB of `root` and every process under it. */
function treePss(root) {
  const parent = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // ended meanwhile
    }
  }
  let total = 0;
  for (const pid of parent.keys()) {
    let p = pid;
    for (let depth = 0; depth < 64 && p !== undefined && p !== root && p > 1; depth++) p = parent.get(p);
    if (p !== root) continue;
    try {
      total += Number(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0);
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

const started = Date.now();
const app = spawn(bin, [], {
  // The switch tauri-driver sets: a shipped build must ignore it (and stay incognito).
  env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, "data"), TAURI_WEBVIEW_AUTOMATION: "true" },
  stdio: ["ignore", "inherit", "inherit"],
});
try {
  let windows = [];
  while (windows.length === 0 && Date.now() - started < 15000) {
    await new Promise((r) => setTimeout(r, 200));
    windows = visibleTakebackWindows();
  }
  assert.equal(windows.length, 1, "one visible Takeback window within 15 s");
  console.log(`# installed app: window after ${Date.now() - started} ms`);
  await new Promise((r) => setTimeout(r, 8000));
  const mib = treePss(app.pid) / 1024;
  console.log(`# installed app: idle PSS ${mib.toFixed(0)} MiB (bound ${bound})`);
  assert.ok(mib <= bound, `idle PSS ${mib.toFixed(0)} MiB exceeds ${bound} MiB`);
} finally {
  app.kill("SIGTERM");
  rmSync(home, { recursive: true, force: true });
}
