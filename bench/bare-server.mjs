// The baseline for bench/load.ts: a bare Node http server. GET or POST /<status>/<bytes>/<padding> reads the
// request body and answers that status with a body of that many bytes, so it sees requests and sends answers of
// the sizes the connector does, with none of its work.
import { createServer } from 'node:http';

const bodies = new Map();
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const [, status = '200', bytes = '0'] = req.url.split('/');
    const n = Number(bytes);
    if (!bodies.has(n)) bodies.set(n, Buffer.alloc(n, 'x'));
    res.writeHead(Number(status), { 'content-type': 'text/plain', 'content-length': n });
    res.end(bodies.get(n));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
