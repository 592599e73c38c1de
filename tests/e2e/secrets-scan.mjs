// The secrets scan of the end-to-end run: every key, password and token the tests registered
// (common.mjs `secret()`, run.sh for its own fake's key) must appear in no file the run left behind
// (databases with their -wal/-shm and backups, logs, diagnostic bundles and their members, CSV
// exports, WebKit's storage) and in no process's argument list while the run went on.
// A finding names the file or process and the secret's name, never the secret.
//
//   node secrets-scan.mjs watch FINDINGS   samples every process's /proc/PID/cmdline until stopped,
//                                          appending "process: secret name" lines to FINDINGS
//   node secrets-scan.mjs final FINDINGS DIR...
//                                          scans every file under each DIR, adds the watcher's
//                                          findings, prints them and exits 1 if there are any
// Environment: E2E_SECRETS (the registry, one JSON {name, value} per line), XDG_DATA_HOME (its
// keyrings/ directory is where the secrets belong, so it is not scanned).
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { gunzipSync } from "node:zlib";

const REGISTRY = process.env.E2E_SECRETS;
if (!REGISTRY) {
  console.error("E2E_SECRETS is not set: run this through tests/e2e/run.sh");
  process.exit(2);
}

/** The registered secrets, each with the byte forms it could be stored in (UTF-8; UTF-16 as WebKit's storage keeps text). */
function secrets() {
  const text = existsSync(REGISTRY) ? readFileSync(REGISTRY, "utf8") : "";
  const seen = new Map();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const { name, value } = JSON.parse(line);
    if (!seen.has(value)) seen.set(value, { name, forms: [Buffer.from(value, "utf8"), Buffer.from(value, "utf16le")] });
  }
  return [...seen.values()];
}

/** The names of the secrets found in `bytes`. */
function found(bytes, list) {
  return list.filter((s) => s.forms.some((form) => bytes.includes(form))).map((s) => s.name);
}

/** Every process's argument list now, as "pid name" and its bytes. */
function argumentLists() {
  const out = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const bytes = readFileSync(`/proc/${pid}/cmdline`);
      const argv0 = bytes.subarray(0, Math.max(0, bytes.indexOf(0))).toString("utf8").split("/").pop();
      out.push({ label: `process ${pid} (${argv0 || "?"})`, bytes });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function watch(findingsFile) {
  const reported = new Set();
  let samples = 0;
  const sample = () => {
    const list = secrets();
    samples++;
    if (!list.length) return;
    for (const { label, bytes } of argumentLists()) {
      for (const name of found(bytes, list)) {
        const line = `${label} argument list: ${name}`;
        if (reported.has(line)) continue;
        reported.add(line);
        appendFileSync(findingsFile, line + "\n");
        console.log(`secrets watch: ${line}`);
      }
    }
  };
  sample();
  // A plain interval: the watcher runs for as long as the run does and is stopped by run.sh.
  setInterval(sample, 300);
  process.on("SIGTERM", () => {
    console.log(`secrets watch: ${samples} samples`);
    process.exit(0);
  });
}

/** Every regular file under `dir`, skipping `skip` (absolute paths of files or directories). */
function* files(dir, skip) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip.some((s) => path === s || path.startsWith(s + "/"))) continue;
    if (entry.isDirectory()) yield* files(path, skip);
    else if (entry.isFile()) yield path;
  }
}

/** A zip archive's members as {name: bytes} (a diagnostic bundle); Python's zipfile, as the tests use. */
function zipMembers(path) {
  const json = execFileSync(
    "python3",
    [
      "-c",
      "import base64, json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\n" +
        "print(json.dumps({n: base64.b64encode(z.read(n)).decode() for n in z.namelist()}))",
      path,
    ],
    { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 },
  );
  return Object.entries(JSON.parse(json)).map(([name, b64]) => [name, Buffer.from(b64, "base64")]);
}

/** What to look in for one file: itself, and a zip's members or a gzip's content. */
function contents(path, bytes) {
  const parts = [[path, bytes]];
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    for (const [name, member] of zipMembers(path)) parts.push([`${path} → ${name}`, member]);
  } else if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    parts.push([`${path} (gunzipped)`, gunzipSync(bytes)]);
  }
  return parts;
}

function final(findingsFile, dirs) {
  const list = secrets();
  const skip = [resolve(REGISTRY), resolve(findingsFile)];
  if (process.env.XDG_DATA_HOME) skip.push(resolve(process.env.XDG_DATA_HOME, "keyrings"));
  const problems = [];
  let scanned = 0;
  let members = 0;
  for (const dir of dirs.map((d) => resolve(d))) {
    for (const path of files(dir, skip)) {
      let bytes;
      try {
        if (statSync(path).size === 0) continue;
        bytes = readFileSync(path);
      } catch {
        continue; // removed meanwhile (a socket's lock file, a temp file)
      }
      scanned++;
      for (const [what, part] of contents(path, bytes)) {
        if (what !== path) members++;
        for (const name of found(part, list)) problems.push(`${relative(dir, what) || what} (under ${dir}): ${name}`);
      }
    }
  }
  const watched = existsSync(findingsFile) ? readFileSync(findingsFile, "utf8").split("\n").filter(Boolean) : [];
  problems.push(...watched);
  const summary = `${list.length} secrets, ${scanned} files, ${members} archive members, process argument lists sampled all along`;
  if (!list.length) {
    console.log(`secrets scan: FAILED: no secret was registered (E2E_SECRETS=${REGISTRY}), so nothing was checked`);
    process.exit(1);
  }
  if (problems.length) {
    console.log(`secrets scan: FAILED (${summary}); secrets found:`);
    for (const p of problems) console.log(`  ${p}`);
    process.exit(1);
  }
  console.log(`secrets scan: ok (${summary}): ${list.map((s) => s.name).join(", ")}`);
}

const [mode, findingsFile, ...dirs] = process.argv.slice(2);
if (mode === "watch" && findingsFile) watch(findingsFile);
else if (mode === "final" && findingsFile && dirs.length) final(findingsFile, dirs);
else {
  console.error("usage: secrets-scan.mjs watch FINDINGS | final FINDINGS DIR...");
  process.exit(2);
}
