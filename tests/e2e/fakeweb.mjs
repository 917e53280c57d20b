// A small web on loopback for the end-to-end tests: pages built from the shared test faces (the
// owner in some, someone else in others, a group photo), robots.txt, a security.txt with the
// site's abuse contact, and empty RDAP bootstrap files (so recipient lookup stays on loopback).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

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
  for (const name of ["obama2.jpg", "obama3.jpg", "biden.jpg", "biden2.jpg"]) {
    routes[`/img/${name}`] = () => ({ type: "image/jpeg", body: image(name) });
  }
  for (const name of ["dns.json", "ipv4.json", "ipv6.json"]) {
    routes[`/rdap/${name}`] = () => ({
      type: "application/json",
      body: JSON.stringify({ version: "1.0", publication: "2026-01-01T00:00:00Z", services: [] }),
    });
  }
  const requests = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    requests.push(path);
    const route = routes[path];
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const { type, body } = route();
    res.writeHead(200, { "content-type": type, "content-length": Buffer.byteLength(body) }).end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        base: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}
