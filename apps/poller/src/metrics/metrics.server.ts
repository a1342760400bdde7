import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { MetricsEnv } from '#common';
import { PollerMetrics } from './poller-metrics.service.js';

/**
 * A tiny HTTP server for Prometheus: GET /metrics and nothing else. The poller has no other
 * HTTP surface, so this is plain node:http rather than a web framework.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MetricsServer.name);
  private readonly server = http.createServer((req, res) => void this.answer(req, res));

  constructor(
    private readonly env: MetricsEnv,
    private readonly metrics: PollerMetrics,
  ) {}

  /** The port it listens on (useful with METRICS_PORT=0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server.listen(this.env.METRICS_PORT, this.env.METRICS_HOST);
    await once(this.server, 'listening');
    this.logger.log(`metrics on http://${this.env.METRICS_HOST}:${this.port}/metrics`);
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.server.listening) return;
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: try GET /metrics\n');
      return;
    }
    try {
      const body = await this.metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${(err as Error).message}\n`);
    }
  }
}
