// The listeners: the main host and, optionally, a backup host (api2.mch.weixin.qq.com's
// stand-in) serving the same emulator. The main one can be taken down (its port then
// refuses connections) and brought back, to exercise a client's failover.
import http from 'node:http';
import { requestId } from './wire.mjs';

const HOST = '127.0.0.1';

function makeServer(handler) {
  const server = http.createServer(handler);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.destroyed) {
      const body = JSON.stringify({ code: 'INVALID_REQUEST', message: `malformed HTTP request (${err.code ?? 'bad request'})` });
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRequest-ID: ${requestId()}\r\nConnection: close\r\n\r\n${body}`);
    } else {
      socket.destroy();
    }
  });
  return server;
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => { server.off('error', reject); resolve(server.address().port); });
  });
}

function shut(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export class Hosts {
  /** @param {(req, res) => void} handler */
  constructor(handler) {
    this.handler = handler;
    this.main = makeServer(handler);
    this.backup = null;
    this.mainPort = 0;
    this.backupPort = null;
    this.mainUp = false;
  }

  /** Listens on 127.0.0.1:port (0 = any), and on backupPort too unless it is null. */
  async start(port, backupPort = null) {
    this.mainPort = await listen(this.main, port);
    this.mainUp = true;
    if (backupPort !== null) {
      this.backup = makeServer(this.handler);
      this.backupPort = await listen(this.backup, backupPort);
    }
  }

  get url() { return `http://${HOST}:${this.mainPort}`; }
  get backupUrl() { return this.backupPort === null ? null : `http://${HOST}:${this.backupPort}`; }

  /** Closes the main listener and its connections: its port refuses connections. */
  async takeMainDown() {
    if (!this.mainUp) return;
    this.mainUp = false;
    await shut(this.main);
  }

  /** Listens on the main port again. */
  async bringMainUp() {
    if (this.mainUp) return;
    this.main = makeServer(this.handler);
    await listen(this.main, this.mainPort);
    this.mainUp = true;
  }

  async close() {
    this.mainUp = false;
    await Promise.all([shut(this.main), this.backup ? shut(this.backup) : null]);
  }
}
