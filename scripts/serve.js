#!/usr/bin/env node
/**
 * Serves dist/ over plain http on localhost, to try the task pane in a browser outside Excel
 * (it then runs on a sample workbook):
 *
 *   npm run build && node scripts/serve.js          http://localhost:8080/taskpane.html
 *   node scripts/serve.js --port 9000 --dir dist
 *
 * No dependencies; also used by the end-to-end test (port 0 = a free port).
 */
const fs = require("fs");
const http = require("http");
const path = require("path");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".xml": "application/xml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** Starts serving `dir`; resolves to { server, url } once listening. */
function serve(dir, port = 0, host = "127.0.0.1") {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url || "/", "http://localhost").pathname);
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    if (rel.endsWith("/")) rel += "taskpane.html";
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
        return;
      }
      res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", "Cache-Control": "no-store" });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({ server, url: `http://${host === "127.0.0.1" ? "localhost" : host}:${addr.port}/` });
    });
  });
}

module.exports = { serve };

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
  };
  const dir = opt("--dir", path.join(__dirname, "..", "dist"));
  const port = Number(opt("--port", process.env.PORT || 8080));
  if (!fs.existsSync(path.join(dir, "taskpane.html"))) {
    console.error(`${path.join(dir, "taskpane.html")} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
  serve(dir, port).then(({ url }) => {
    console.log(`Serving ${path.resolve(dir)} at ${url}taskpane.html (Ctrl+C to stop)`);
  }, (e) => {
    console.error(`cannot listen on port ${port}: ${e.message}`);
    process.exit(1);
  });
}
