// Serves one JWKS file over loopback HTTP, the way an identity provider publishes
// its keys: Temporal fetches it at start and every refresh interval.
//   tsx stack/jwks-server.ts FILE PORT
import fs from 'node:fs';
import http from 'node:http';

const [file, port] = process.argv.slice(2);
if (!file || !port) {
  console.error('usage: tsx stack/jwks-server.ts FILE PORT');
  process.exit(2);
}

http
  .createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    // Read on every request: a rotated key is served without a restart.
    fs.readFile(file, (err, body) => {
      if (err) res.writeHead(500).end(err.message);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  })
  .listen(Number(port), '127.0.0.1', () => console.log(`serving ${file} on http://127.0.0.1:${port}/.well-known/jwks.json`));
