import { Global, Module } from '@nestjs/common';
import { MetricsServer } from './metrics.server.js';
import { PollerMetrics } from './poller-metrics.service.js';

/**
 * Prometheus metrics for the poller, served on METRICS_PORT. Global, so the role services
 * can take PollerMetrics as an optional dependency and run unchanged without it.
 */
@Global()
@Module({ providers: [PollerMetrics, MetricsServer], exports: [PollerMetrics, MetricsServer] })
export class PollerMetricsModule {}
