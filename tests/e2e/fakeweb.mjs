// A small web on loopback for the end-to-end tests: pages built from the shared test faces (the
// owner in some, someone else in others), robots.txt, a security.txt with the site's abuse
// contact, empty RDAP bootstrap files (so recipient lookup stays on loopback), and TinEye's API
// as documented (providers.md §1): `x-api-key`, multipart `image_upload` on POST
// /tineye/rest/search/, `results.matches[].backlinks[]` pointing at a page of this same web.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

const TINEYE_KEY = "e2e-tineye-key";

const page = (title, body) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

/** Starts the server; resolves to { base, close, requests }. */
export function startFakeWeb(facesDir) {
  const image = (name) => readFileSync(join(facesDir, "facerec", name));
  const routes = {
    "/": () => ({
      type: "text/html",
      body: page(
        "Forum",
        `<h1>Forum</h1><img src="/img/obama2.jpg" alt=""><img src="/img/biden.jpg" alt=""><a href="/thread/2">next</a>`,
      ),
    }),
    "/thread/2": () => ({
      type: "text/html",
      body: page("Thread 2", `<img src="/img/obama3.jpg" alt=""><img src="/img/biden2.jpg" alt="">`),
    }),
    "/robots.txt": () => ({ type: "text/plain", body: "User-agent: *\nAllow: /\n" }),
    "/.well-known/security.txt": () => ({
      type: "text/plain",
      body: "Contact: mailto:abuse@fakeweb.example\nExpires: 2031-01-01T00:00:00.000Z\n",
    }),
  };
  // Only TinEye "knows" this page: it is not linked from the watched site.
  routes["/elsewhere/post"] = () => ({ type: "text/html", body: page("Elsewhere", `<img src="/img/obama-720p.jpg" alt="">`) });
  for (const name of ["obama2.jpg", "obama3.jpg", "biden.jpg", "biden2.jpg", "obama-720p.jpg"]) {
    routes[`/img/${name}`] = () => ({ type: "image/jpeg", body: image(name) });
  }
  for (const name of ["dns.json", "ipv4.json", "ipv6.json"]) {
    routes[`/rdap/${name}`] = () => ({
      type: "application/json",
      body: JSON.stringify({ version: "1.0", publication: "2026-01-01T00:00:00Z", services: [] }),
    });
  }
  const requests = [];
  const uploads = [];
  const takenDown = new Set();
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    requests.push(path);
    if (path.startsWith("/tineye/rest/")) {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => tineye(req, res, path, Buffer.concat(chunks)));
      return;
    }
    const route = takenDown.has(path) ? undefined : routes[path];
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const { type, body } = route();
    res.writeHead(200, { "content-type": type, "content-length": Buffer.byteLength(body) }).end(body);
  });
  let base = "";
  function tineye(req, res, path, body) {
    const reply = (status, json) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ stats: {}, code: status, ...json }));
    if (req.headers["x-api-key"] !== TINEYE_KEY) {
      reply(401, { messages: ["API_ERROR", "Please provide a valid API key."], results: [] });
      return;
    }
    if (req.method === "GET" && path === "/tineye/rest/remaining_searches/") {
      reply(200, { messages: [], results: { total_remaining_searches: 99, bundles: [] } });
      return;
    }
    if (req.method !== "POST" || path !== "/tineye/rest/search/" || !body.includes('name="image_upload"')) {
      reply(400, { messages: ["API_ERROR", "Please supply an image or a URL for searching."], results: [] });
      return;
    }
    uploads.push(body);
    reply(200, {
      messages: [],
      results: {
        matches: [
          {
            domain: "127.0.0.1",
            score: 70.1,
            image_url: `${base}/img/obama-720p.jpg`,
            backlinks: [{ url: `${base}/img/obama-720p.jpg`, backlink: `${base}/elsewhere/post`, crawl_date: "2026-11-01" }],
          },
        ],
      },
    });
  }

  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      base = `http://127.0.0.1:${port}`;
      resolve({
        base,
        uploads,
        tineyeKey: TINEYE_KEY,
        requests,
        /** From now on `path` answers 404, as after a successful takedown. */
        takeDown: (path) => takenDown.add(path),
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}
