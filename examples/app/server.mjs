// A minimal app for the example image: it reports the environment the
// entrypoint found, and answers the readiness probe of examples/awesome-api.yaml.
import http from 'node:http';

const environment = process.env.ENVIRONMENT;
const port = Number(process.env.PORT ?? 8080);

http
  .createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ app: 'awesome-api', environment }) + '\n');
  })
  .listen(port, () => console.log(JSON.stringify({ msg: 'listening', port, environment })));
